/**
 * Byte budgets shared by every format: when a rendered line is over `maxBytes`, shorten the
 * values that may shrink (rank 0 = `msg` first, then other free text, longest first) and
 * render again. Values are cut at a code-point boundary before escaping, so an escape
 * sequence, a UTF-8 sequence, a key or the header is never split.
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
    if (size <= maxBytes) break;
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
 * Removes whole code points from the end of `value` until at least `excess` UTF-8 bytes are
 * gone (escaping only makes each removed character cost more, so this never removes too
 * little of the rendered line; the caller re-renders to check).
 */
export function dropTailBytes(value: string, excess: number): string {
  let end = value.length;
  let removed = 0;
  while (end > 0 && removed < excess) {
    const code = value.charCodeAt(end - 1);
    const isLowSurrogate = code >= 0xdc00 && code <= 0xdfff;
    const hasPair = isLowSurrogate && end >= 2 && isHighSurrogate(value.charCodeAt(end - 2));
    const width = hasPair ? 2 : 1;
    removed += hasPair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    end -= width;
  }
  return value.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
