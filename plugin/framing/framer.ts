/**
 * Stream framing for syslog over TCP and TLS: turns finished lines into the bytes that go on
 * the wire. `lf` is RFC 6587 §3.4.2 non-transparent framing (each message followed by LF);
 * `octet` is RFC 6587 §3.4.1 / RFC 5425 §4.3 octet counting (`MSG-LEN SP SYSLOG-MSG`, where
 * MSG-LEN is the UTF-8 byte count of the message as sent, with no leading zeros). The framer
 * never changes a message: checking that a line can be framed is `frameProblem`'s job.
 */

export type Framing = 'lf' | 'octet';

const LF = 0x0a;
const SPACE = 0x20;
const ZERO = 0x30;

/** Frames one line. Prefer `frameBatch` for several lines: it allocates one Buffer for all. */
export function frame(line: string, framing: Framing): Buffer {
  return frameBatch([line], framing);
}

/**
 * Frames `lines[start..end)` into one Buffer, ready for a single socket write. Each line's
 * byte length is computed once and reused for both the allocation and the octet count.
 */
export function frameBatch(lines: readonly string[], framing: Framing, start = 0, end = lines.length): Buffer {
  const count = end - start;
  const sizes = new Array<number>(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = Buffer.byteLength(lines[start + i]!, 'utf8');
    sizes[i] = size;
    total += framing === 'octet' ? decimalDigits(size) + 1 + size : size + 1;
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const size = sizes[i]!;
    if (framing === 'octet') {
      offset = writeDecimal(out, offset, size);
      out[offset++] = SPACE;
      offset += out.write(lines[start + i]!, offset, size, 'utf8');
    } else {
      offset += out.write(lines[start + i]!, offset, size, 'utf8');
      out[offset++] = LF;
    }
  }
  return out;
}

/**
 * Why a line cannot be framed safely, or undefined. A raw LF would end an LF frame early and
 * desynchronise the receiver (RFC 6587 §3.4.2); the project never emits raw CR or LF in any
 * framing, so both are refused for both framings. An empty message cannot be octet counted:
 * MSG-LEN starts with NONZERO-DIGIT (RFC 6587 §3.4.1).
 */
export function frameProblem(line: string, framing: Framing): string | undefined {
  if (line.length === 0) return framing === 'octet' ? 'empty message (MSG-LEN must be at least 1)' : undefined;
  const lf = line.indexOf('\n');
  if (lf >= 0) return `raw LF at character ${lf}`;
  const cr = line.indexOf('\r');
  if (cr >= 0) return `raw CR at character ${cr}`;
  return undefined;
}

function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/** Writes `n` in ASCII decimal at `offset` (no leading zeros) and returns the new offset. */
function writeDecimal(out: Buffer, offset: number, n: number): number {
  const digits = decimalDigits(n);
  for (let i = digits - 1; i >= 0; i--) {
    out[offset + i] = ZERO + (n % 10);
    n = Math.floor(n / 10);
  }
  return offset + digits;
}
