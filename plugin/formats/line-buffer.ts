/**
 * A growable byte buffer that formatters with a byte fast path (Formatter.formatInto) write
 * finished lines into: UTF-8, each line followed by LF. Writing a line's bytes directly
 * saves what the string path pays per line: the concatenation rope, flattening it, and
 * measuring and encoding it again for the sink. Lines are written whole or not at all: a
 * writer makes room first (`reserve`), and `undoLine` drops a partly written line.
 *
 * Two buffers alternate: take() hands out the filled one without copying and continues in
 * the other, so the bytes handed out stay valid until the take() after next. A caller keeps
 * at most one batch in flight (run-stdio waits for a delivery before handing over the next).
 */

/** Room a fresh buffer has; a batch is cut well before this, so growth is rare. */
export const LINE_BUFFER_BYTES = 256 * 1024;

const LF = 0x0a;

export class LineBuffer {
  /** The bytes; valid up to `pos`. Writers write at `pos` and advance it. */
  buf: Buffer;
  /** A DataView of `buf`, for writers that store several bytes at once. */
  view: DataView;
  pos = 0;
  /** Lines finished since the last take(). */
  lines = 0;
  private lineStart = 0;
  /** The other buffer (and its view), free again once the batch taken from it is delivered. */
  private spare: Buffer;
  private spareView: DataView;

  constructor(private readonly initialBytes: number = LINE_BUFFER_BYTES) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.view = viewOf(this.buf);
    this.spare = Buffer.allocUnsafe(initialBytes);
    this.spareView = viewOf(this.spare);
  }

  /** Makes sure `bytes` more fit at `pos`, keeping what was written. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    this.view = viewOf(grown);
  }

  /** Appends a string as UTF-8 (lone surrogates become U+FFFD, as in Buffer.from). */
  writeText(text: string): void {
    this.reserve(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Appends bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Ends the current line with LF. */
  endLine(): void {
    this.reserve(1);
    this.buf[this.pos++] = LF;
    this.lineStart = this.pos;
    this.lines++;
  }

  /** Drops the bytes of an unfinished line. */
  undoLine(): void {
    this.pos = this.lineStart;
  }

  /**
   * The finished lines (a view, not a copy: valid until the take() after next); writing
   * continues in the other buffer, which starts empty. Call between lines.
   */
  take(): Buffer {
    const filled = this.buf;
    const filledView = this.view;
    const out = filled.subarray(0, this.lineStart);
    this.buf = this.spare;
    this.view = this.spareView;
    if (filled.length === this.initialBytes) {
      this.spare = filled;
      this.spareView = filledView;
    } else {
      // A huge line made it grow: hand it out, but do not keep it.
      this.spare = Buffer.allocUnsafe(this.initialBytes);
      this.spareView = viewOf(this.spare);
    }
    this.pos = 0;
    this.lineStart = 0;
    this.lines = 0;
    return out;
  }
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
