/**
 * One record through normalize → format, with the outcome as a value: either the line to
 * hand to a sink, or the accounted error. Every transport uses this, so each input record
 * yields exactly one line or one error.
 */
import { SegError, toSegError } from '../core/errors.js';
import type { RawRecord } from '../core/record.js';
import type { OutLine } from '../core/sink.js';
import type { Formatter } from '../formats/formatter.js';
import type { Normalizer } from '../normalize/normalizer.js';

export type Outcome =
  | { readonly ok: true; readonly line: OutLine }
  | { readonly ok: false; readonly origin: string; readonly error: SegError };

export interface Processor {
  process(raw: RawRecord): Outcome;
}

/** `maxBytes`: a sink's message cap (UDP); the formatter's own cap applies when smaller. */
export function buildProcessor(normalizer: Normalizer, formatter: Formatter, maxBytes?: number): Processor {
  return {
    process(raw) {
      try {
        const rec = normalizer.normalize(raw);
        const text = formatter.format(rec, maxBytes);
        return { ok: true, line: { text, eventId: rec.eventId, severity: rec.severity, host: rec.host } };
      } catch (e) {
        const error = e instanceof SegError ? e : toSegError(e);
        return { ok: false, origin: raw.origin, error };
      }
    },
  };
}
