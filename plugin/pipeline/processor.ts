/**
 * One record through normalize → format, with the outcome as a value: either the line to
 * hand to a sink, or the accounted error. Every transport uses this, so each input record
 * yields exactly one line or one error.
 */
import { SegError, toSegError } from '../core/errors.js';
import type { RawRecord } from '../core/record.js';
import type { OutLine } from '../core/sink.js';
import type { Formatter } from '../formats/formatter.js';
import type { LineBuffer } from '../formats/line-buffer.js';
import type { Normalizer } from '../normalize/normalizer.js';
import { parseJsonText } from '../inputs/json-line.js';
import { JsonLineScanner } from '../inputs/json-scan.js';

export type Failure = { readonly ok: false; readonly origin: string; readonly error: SegError };
export type Outcome = { readonly ok: true; readonly line: OutLine } | Failure;

export interface Processor {
  process(raw: RawRecord): Outcome;
  /**
   * Offered when the formatter has a byte fast path and no sink caps the line size: appends
   * the record's line and an LF to `out` (the same bytes process() would yield); returns
   * undefined, or the failure (then nothing was written).
   */
  processInto?(raw: RawRecord, out: LineBuffer): Failure | undefined;
  /**
   * The line fast path, offered with processInto: appends the line for the NDJSON record
   * in bytes[start, end) (valid UTF-8, no LF) straight from its bytes, without decoding the
   * line or parsing it into an object, and returns true; or returns false, having written
   * and reported nothing, when the record must be decoded and given to processInto (a shape
   * not seen yet, an escape in a name, a nested value, anything that needs a diagnostic or
   * an error). Either way the output is the same bytes.
   */
  processLineInto?(bytes: Buffer, start: number, end: number, out: LineBuffer): boolean;
}

/**
 * One input line as a RawRecord, or as the failure that stands for it: the error the line
 * splitter gave (too long, not UTF-8) or the parse error (not JSON, not an object).
 */
export function recordOfLine(got: string | SegError, origin: string): RawRecord | Failure {
  if (typeof got !== 'string') return { ok: false, origin, error: got };
  try {
    return parseJsonText(got, origin);
  } catch (e) {
    return { ok: false, origin, error: toSegError(e) };
  }
}

/** `maxBytes`: a sink's message cap (UDP); the formatter's own cap applies when smaller. */
export function buildProcessor(normalizer: Normalizer, formatter: Formatter, maxBytes?: number): Processor {
  const process = (raw: RawRecord): Outcome => {
    try {
      const rec = normalizer.normalize(raw);
      const text = formatter.format(rec, maxBytes);
      return { ok: true, line: { text, eventId: rec.eventId, severity: rec.severity, host: rec.host } };
    } catch (e) {
      return failure(raw, e);
    }
  };
  const formatInto = formatter.formatInto;
  if (formatInto === undefined || maxBytes !== undefined) return { process };
  const normalizeLine = normalizer.normalizeLine;
  const formatSpansInto = formatter.formatSpansInto;
  const scanner = new JsonLineScanner();
  return {
    process,
    ...(normalizeLine === undefined || formatSpansInto === undefined
      ? {}
      : {
          processLineInto(bytes: Buffer, start: number, end: number, out: LineBuffer): boolean {
            if (!scanner.scan(bytes, start, end)) return false;
            const rec = normalizeLine.call(normalizer, scanner);
            return rec !== undefined && formatSpansInto.call(formatter, rec, out);
          },
        }),
    processInto(raw, out) {
      try {
        const rec = normalizer.normalize(raw);
        if (!formatInto.call(formatter, rec, out)) {
          out.writeText(formatter.format(rec));
          out.endLine();
        }
        return undefined;
      } catch (e) {
        out.undoLine();
        return failure(raw, e);
      }
    },
  };
}

function failure(raw: RawRecord, e: unknown): Failure {
  return { ok: false, origin: raw.origin, error: e instanceof SegError ? e : toSegError(e) };
}
