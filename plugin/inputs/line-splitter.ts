/**
 * Splits a byte stream into LF-terminated lines for the line-based inputs, with the two
 * limits that keep memory bounded: a line over `maxLineBytes` is reported (with its line
 * number) and skipped up to its LF without being buffered, and bytes that are not UTF-8
 * are reported per line. A clean chunk is decoded in one call (the fast path).
 */
import { SegError } from '../core/errors.js';

export type LineItem =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly error: SegError };

const LF = 0x0a;
const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current over-long line seen so far (0 when not discarding). */
  private discarding = 0;
  private lineNo = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly label: (line: number) => string = (n) => `line ${n}`,
  ) {}

  /** Number of the last line started (for summaries). */
  get linesSeen(): number {
    return this.lineNo;
  }

  /** Feeds one chunk; returns the complete lines (and per-line errors) it finished. */
  push(chunk: Buffer): LineItem[] {
    const items: LineItem[] = [];
    let start = 0;
    if (this.pendingBytes > 0 || this.discarding > 0) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.hold(chunk);
        return items;
      }
      this.hold(chunk.subarray(0, lf));
      this.finishHeld(items);
      start = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= start) {
      this.splitComplete(chunk.subarray(start, lastLf), items);
      start = lastLf + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
    return items;
  }

  /** At end of input: a last line without LF still counts as a line. */
  end(): LineItem[] {
    const items: LineItem[] = [];
    if (this.pendingBytes > 0 || this.discarding > 0) this.finishHeld(items);
    return items;
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.discarding > 0) {
      this.discarding += bytes.length;
      return;
    }
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      // Over the limit: stop buffering, just count until the LF.
      this.discarding = this.pendingBytes + bytes.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse the chunk's memory.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private finishHeld(items: LineItem[]): void {
    const line = ++this.lineNo;
    if (this.discarding > 0) {
      items.push({ line, error: this.tooLong(line, this.discarding) });
      this.discarding = 0;
      return;
    }
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.decodeOne(bytes, line, items);
  }

  /** `body` holds whole lines separated by LF (no final LF). */
  private splitComplete(body: Buffer, items: LineItem[]): void {
    let text: string;
    try {
      text = fatalDecoder.decode(body);
    } catch {
      this.splitSlow(body, items);
      return;
    }
    const max = this.maxLineBytes;
    for (const raw of text.split('\n')) {
      const line = ++this.lineNo;
      // UTF-16 length is a lower bound of the UTF-8 length and a third of its upper bound.
      if (raw.length > max || (raw.length * 3 > max && Buffer.byteLength(raw) > max)) {
        items.push({ line, error: this.tooLong(line, Buffer.byteLength(raw)) });
      } else if (!isBlank(raw)) {
        items.push({ line, text: raw });
      }
    }
  }

  /** Some line in `body` is not UTF-8: decode line by line to say which. */
  private splitSlow(body: Buffer, items: LineItem[]): void {
    let from = 0;
    for (;;) {
      const lf = body.indexOf(LF, from);
      const end = lf < 0 ? body.length : lf;
      const line = ++this.lineNo;
      const bytes = body.subarray(from, end);
      if (bytes.length > this.maxLineBytes) items.push({ line, error: this.tooLong(line, bytes.length) });
      else this.decodeOne(bytes, line, items);
      if (lf < 0) return;
      from = lf + 1;
    }
  }

  private decodeOne(bytes: Buffer, line: number, items: LineItem[]): void {
    let text: string;
    try {
      text = fatalDecoder.decode(bytes);
    } catch {
      items.push({ line, error: new SegError('SEG_ERR_UTF8', `${this.label(line)}: not valid UTF-8`) });
      return;
    }
    if (!isBlank(text)) items.push({ line, text });
  }

  private tooLong(line: number, bytes: number): SegError {
    return new SegError('SEG_ERR_LINE_TOO_LONG', `${this.label(line)}: ${bytes} bytes, over the limit of ${this.maxLineBytes}`);
  }
}

/** Blank lines (only spaces, tabs, CR) are not records and are skipped without an error. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
