/**
 * Byte budgets shared by every format: when a rendered line is over `maxBytes`, shorten the
 * values that may shrink (rank 0 = `msg` first, then other free text, longest first) and
 * render again; then grow the last value cut back to the longest prefix that still fits.
 * Values are cut at a code-point boundary before escaping, so an escape sequence, a UTF-8
 * sequence, a key or the header is never split. Each shortened field is reported once as a
 * `truncated` diagnostic; a line that cannot fit even with every shrinkable value emptied is
 * a permanent SEG_ERR_FORMAT.
 */
import { SegError } from '../core/errors.js';
import type { CanonicalRecord, Field } from '../core/record.js';
import type { DiagnosticListener } from './formatter.js';

export type Render = (rec: CanonicalRecord) => string;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Renders `rec`, shrinking free-text values until the line fits in `maxBytes`. */
export function renderWithinBudget(
  rec: CanonicalRecord,
  render: Render,
  maxBytes: number | undefined,
  onDiagnostic: DiagnosticListener,
): string {
  let line = render(rec);
  if (maxBytes === undefined) return line;
  let size = utf8Length(line);
  if (size <= maxBytes) return line;

  const fields = rec.fields.slice();
  const originalLengths = new Map<number, number>();
  for (;;) {
    const victim = pickVictim(fields);
    if (victim < 0) {
      throw new SegError(
        'SEG_ERR_FORMAT',
        `line needs ${size} bytes with every free-text value emptied; the limit is ${maxBytes}`,
        { permanent: true },
      );
    }
    const field = fields[victim]!;
    if (!originalLengths.has(victim)) originalLengths.set(victim, field.value.length);
    fields[victim] = { ...field, value: dropTailBytes(field.value, size - maxBytes) };
    line = render({ ...rec, fields });
    size = utf8Length(line);
    if (size <= maxBytes) {
      line = regrow(rec, fields, victim, field.value, line, render, maxBytes);
      break;
    }
  }
  for (const [index, before] of originalLengths) {
    const f = fields[index]!;
    onDiagnostic(rec.origin, {
      code: 'truncated',
      field: f.key,
      message: `shortened from ${before} to ${f.value.length} UTF-16 units to fit ${maxBytes} bytes`,
    });
  }
  return line;
}

/**
 * The cut that made the line fit removed at least the excess in raw UTF-8 bytes, which can
 * be much more than needed when a value is written twice (RFC 5424 `--sd` puts it in SD and
 * MSG) or when escaping shrinks it (a control character becomes one space). Binary-search the
 * longest prefix of the victim's previous value that still fits, at code-point boundaries,
 * so no more text is lost than the budget requires. Updates `fields[victim]`; returns the line.
 */
function regrow(
  rec: CanonicalRecord,
  fields: Field[],
  victim: number,
  previous: string,
  fitting: string,
  render: Render,
  maxBytes: number,
): string {
  const field = fields[victim]!;
  let lo = field.value.length; // fits
  let hi = previous.length; // does not fit
  let best = fitting;
  while (hi - lo > 1) {
    let mid = lo + Math.floor((hi - lo) / 2);
    if (splitsPair(previous, mid)) mid = mid - 1 > lo ? mid - 1 : mid + 1;
    if (mid >= hi) break;
    const candidate = { ...field, value: previous.slice(0, mid) };
    fields[victim] = candidate;
    const line = render({ ...rec, fields });
    if (utf8Length(line) <= maxBytes) {
      lo = mid;
      best = line;
    } else {
      hi = mid;
    }
  }
  fields[victim] = { ...field, value: previous.slice(0, lo) };
  return best;
}

/** True when cutting `s` at `index` would separate a surrogate pair. */
function splitsPair(s: string, index: number): boolean {
  return index > 0 && index < s.length && isHighSurrogate(s.charCodeAt(index - 1)) && isLowSurrogate(s.charCodeAt(index));
}

/** Index of the next field to shorten: lowest shrinkRank, then longest value; -1 if none left. */
function pickVictim(fields: readonly Field[]): number {
  let best = -1;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.shrinkRank === undefined || f.value.length === 0) continue;
    const b = best < 0 ? undefined : fields[best]!;
    if (
      b === undefined ||
      f.shrinkRank < b.shrinkRank! ||
      (f.shrinkRank === b.shrinkRank && f.value.length > b.value.length)
    ) {
      best = i;
    }
  }
  return best;
}

/**
 * Removes whole code points from the end of `value` until at least `excess` UTF-8 bytes of
 * the raw value are gone. The rendered saving is usually larger (escapes cost 2 bytes) but
 * can be smaller (a replaced control character costs 1), so the caller re-renders to check.
 */
export function dropTailBytes(value: string, excess: number): string {
  let end = value.length;
  let removed = 0;
  while (end > 0 && removed < excess) {
    const code = value.charCodeAt(end - 1);
    const hasPair = isLowSurrogate(code) && end >= 2 && isHighSurrogate(value.charCodeAt(end - 2));
    const width = hasPair ? 2 : 1;
    removed += hasPair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    end -= width;
  }
  return value.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
