/**
 * Splits a byte stream into LF-terminated lines for the line-based inputs, with the two
 * limits that keep memory bounded: a line over `maxLineBytes` is reported (with its line
 * number) and skipped up to its LF without being buffered, and bytes that are not UTF-8
 * are reported per line.
 *
 * Two ways to use it: `push(chunk)` returns all the lines a chunk finished; `feed(chunk)`
 * followed by `next()` (or `nextLine()`, which allocates no item) until it answers undefined
 * hands them out one at a time, so a caller can format and deliver a large chunk in small
 * batches without ever holding all its lines (young objects die young: cheap garbage
 * collection). A chunk is validated in one call
 * (simdutf's `isUtf8`) and then decoded line by line, each line its own small string
 * (one-byte when it is ASCII, which JSON.parse reads faster). A UTF-8 byte order mark at
 * the start of a line is dropped (Windows editors write one at the start of a file; JSON
 * does not allow it).
 */
import { isUtf8 } from 'node:buffer';
import { SegError } from '../core/errors.js';

export type LineItem =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly error: SegError };

const LF = 0x0a;

/** What nextLineRaw() answers for a line it leaves undecoded. */
export const RAW_LINE = 1;
const BOM = 0xfeff;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current over-long line seen so far (0 when not discarding). */
  private discarding = 0;
  private lineNo = 0;

  // The chunk being handed out by next(): its complete lines lie in [pos, lastLf].
  private chunk: Buffer | undefined;
  private pos = 0;
  private lastLf = -1;
  /** True when the chunk's complete lines are all valid UTF-8 (the common case). */
  private chunkIsUtf8 = true;
  /** A line finished by feed() (the held start of the chunk's first line), handed out first. */
  private first: string | SegError | undefined;
  /** Where nextLineRaw() left the last raw line. */
  rawChunk: Buffer = Buffer.alloc(0);
  rawStart = 0;
  rawEnd = 0;

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
    this.feed(chunk);
    return this.drain();
  }

  /** At end of input: a last line without LF still counts as a line. */
  end(): LineItem[] {
    this.feedEnd();
    return this.drain();
  }

  /**
   * Starts handing out the lines `chunk` finishes; take them with next() until it answers
   * undefined, before the next feed. `chunk` must not change until then (a partial last
   * line is copied at once).
   */
  feed(chunk: Buffer): void {
    this.chunk = undefined;
    let start = 0;
    if (this.pendingBytes > 0 || this.discarding > 0) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.hold(chunk);
        return;
      }
      this.hold(chunk.subarray(0, lf));
      this.first = this.finishHeld();
      start = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= start) {
      this.chunk = chunk;
      this.pos = start;
      this.lastLf = lastLf;
      this.chunkIsUtf8 = isUtf8(chunk.subarray(start, lastLf));
      start = lastLf + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** At end of input: makes a held last line (no LF) the next line handed out. */
  feedEnd(): void {
    this.chunk = undefined;
    if (this.pendingBytes > 0 || this.discarding > 0) this.first = this.finishHeld();
  }

  /** The next line (or per-line error) of the fed chunk; undefined when it has no more. */
  next(): LineItem | undefined {
    const got = this.nextLine();
    if (got === undefined) return undefined;
    const line = this.lineNo;
    return typeof got === 'string' ? { line, text: got } : { line, error: got };
  }

  /**
   * Like next(), without an item: the line's text, or its error; its number is `linesSeen`
   * until the next call.
   */
  nextLine(): string | SegError | undefined {
    for (;;) {
      const got = this.nextLineRaw();
      if (got !== RAW_LINE) return got;
      const text = this.rawText();
      if (text !== undefined) return text;
    }
  }

  /**
   * Like nextLine(), but a line of a valid UTF-8 chunk within the length limit is not
   * decoded: answers RAW_LINE and leaves its bytes in `rawChunk` [`rawStart`, `rawEnd`)
   * until the next call; rawText() decodes it when the caller needs the text. Blank lines
   * are handed out too (rawText() answers undefined for them).
   */
  nextLineRaw(): string | SegError | typeof RAW_LINE | undefined {
    const first = this.first;
    if (first !== undefined) {
      this.first = undefined;
      return first;
    }
    const chunk = this.chunk;
    if (chunk === undefined) return undefined;
    while (this.pos <= this.lastLf) {
      const from = this.pos;
      const lf = chunk.indexOf(LF, from);
      this.pos = lf + 1;
      const line = ++this.lineNo;
      if (lf - from > this.maxLineBytes) return this.tooLong(line, lf - from);
      if (!this.chunkIsUtf8) {
        // Some line of this chunk is not UTF-8: each line is checked (and decoded) on its own.
        const got = this.decodeOne(chunk.subarray(from, lf), line);
        if (got !== undefined) return got;
        continue;
      }
      this.rawChunk = chunk;
      this.rawStart = from;
      this.rawEnd = lf;
      return RAW_LINE;
    }
    this.chunk = undefined;
    return undefined;
  }

  /** The text of the line nextLineRaw() left raw, as nextLine() would give it; undefined when blank. */
  rawText(): string | undefined {
    return textOf(this.rawChunk.toString('utf8', this.rawStart, this.rawEnd));
  }

  private drain(): LineItem[] {
    const items: LineItem[] = [];
    for (let item = this.next(); item !== undefined; item = this.next()) items.push(item);
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

  private finishHeld(): string | SegError | undefined {
    const line = ++this.lineNo;
    if (this.discarding > 0) {
      const error = this.tooLong(line, this.discarding);
      this.discarding = 0;
      return error;
    }
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return this.decodeOne(bytes, line);
  }

  private decodeOne(bytes: Buffer, line: number): string | SegError | undefined {
    if (!isUtf8(bytes)) return new SegError('SEG_ERR_UTF8', `${this.label(line)}: not valid UTF-8`);
    return textOf(bytes.toString('utf8'));
  }

  private tooLong(line: number, bytes: number): SegError {
    return new SegError('SEG_ERR_LINE_TOO_LONG', `${this.label(line)}: ${bytes} bytes, over the limit of ${this.maxLineBytes}`);
  }
}

/** A decoded line, or undefined when it is blank; drops a leading byte order mark. */
function textOf(decoded: string): string | undefined {
  const text = decoded.charCodeAt(0) === BOM ? decoded.slice(1) : decoded;
  return isBlank(text) ? undefined : text;
}

/** Blank lines (only spaces, tabs, CR) are not records and are skipped without an error. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
