/**
 * Splits a byte stream into whole msgpack values ("frames") without decoding them, so a
 * server can refuse an oversized or malformed frame before buffering all of it, and hand
 * each complete frame to a real msgpack decoder. The scan is resumable: bytes that arrive in
 * many small reads are walked once (no rescans from the frame start), and the declared size
 * of a str/bin/ext, or the element count of an array/map, is checked against the frame limit
 * as soon as its header is seen. Used by the Fluent Forward server (requests) and the
 * Forward sink (HELO/PONG/ack responses). Type bytes per the msgpack spec ("Formats").
 */
import { SegError } from '../core/errors.js';

const EMPTY = Buffer.alloc(0);
const MIN_CAPACITY = 16 * 1024;

export class MsgpackFrameReader {
  /** Bytes `[start, end)` of `buf` are unread; a frame always begins at `start`. */
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** Where the scan of the current (incomplete) frame resumes. */
  private scanPos = 0;
  /** Elements still expected by each open array/map of the current frame, innermost last. */
  private readonly open: number[] = [];
  /** Set by `readHeader`: the element at the scan position. */
  private headerBytes = 0;
  private payloadBytes = 0;
  private children = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly maxDepth = 64,
  ) {}

  /** Bytes received and not yet returned as a frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Appends received bytes. Bytes of frames already returned are never overwritten: space
   * is taken only past `end`, and growing copies into a new buffer, so decoded views into a
   * returned frame (msgpack bin values) stay valid.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      // Nothing pending: adopt the chunk itself (no copy). Its capacity is its length, so the
      // next push copies into a new buffer instead of writing into the caller's memory.
      this.buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.start = 0;
      this.end = chunk.length;
      this.scanPos = 0;
      return;
    }
    if (this.end + chunk.length > this.buf.length) this.grow(chunk.length);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next complete frame (a view valid until the caller drops it), or undefined when more
   * bytes are needed. Throws SegError('SEG_ERR_PROTOCOL') for an invalid type byte, a frame
   * larger than the limit, or nesting deeper than `maxDepth`; the stream is then unusable.
   */
  next(): Uint8Array | undefined {
    if (this.start === this.end) return undefined;
    const length = this.scan();
    if (length < 0) return undefined;
    const frame = this.buf.subarray(this.start, this.start + length);
    this.start += length;
    this.scanPos = this.start;
    return frame;
  }

  /** Walks elements from `scanPos`; returns the frame length once complete, else -1. */
  private scan(): number {
    const buf = this.buf;
    for (;;) {
      const pos = this.scanPos;
      if (pos >= this.end || !this.readHeader(buf, pos)) return -1;
      const used = pos - this.start + this.headerBytes;
      if (this.children > 0) {
        // Every element takes at least one byte, so the count alone can prove the frame too big.
        this.checkSize(used + this.children, 'elements');
        if (this.open.length >= this.maxDepth) {
          throw new SegError('SEG_ERR_PROTOCOL', `msgpack nesting deeper than ${this.maxDepth} levels`);
        }
        this.open.push(this.children);
        this.scanPos = pos + this.headerBytes;
        continue;
      }
      this.checkSize(used + this.payloadBytes, 'bytes');
      const next = pos + this.headerBytes + this.payloadBytes;
      if (next > this.end) return -1;
      this.scanPos = next;
      if (this.closeElement()) return next - this.start;
    }
  }

  /** One element finished: counts it against the open containers. True when the frame is done. */
  private closeElement(): boolean {
    const open = this.open;
    while (open.length > 0) {
      const left = open[open.length - 1]! - 1;
      if (left > 0) {
        open[open.length - 1] = left;
        return false;
      }
      open.pop(); // that container is itself a finished element of its parent
    }
    return true;
  }

  private checkSize(bytes: number, what: 'bytes' | 'elements'): void {
    if (bytes > this.maxFrameBytes) {
      const detail = what === 'bytes' ? `at least ${bytes} bytes` : `a container whose elements need at least ${bytes} bytes`;
      throw new SegError('SEG_ERR_PROTOCOL', `msgpack frame over the limit of ${this.maxFrameBytes} bytes (${detail})`);
    }
  }

  /**
   * Reads the header of the element at `pos` into headerBytes/payloadBytes/children.
   * False when the header itself is not complete yet.
   */
  private readHeader(buf: Buffer, pos: number): boolean {
    const b = buf[pos]!;
    this.children = 0;
    this.payloadBytes = 0;
    this.headerBytes = 1;
    if (b <= 0x7f || b >= 0xe0) return true; // positive / negative fixint
    if (b <= 0x8f) return this.container((b & 0x0f) * 2); // fixmap
    if (b <= 0x9f) return this.container(b & 0x0f); // fixarray
    if (b <= 0xbf) return this.sized(0, b & 0x1f); // fixstr
    const avail = this.end - pos - 1;
    switch (b) {
      case 0xc0: // nil
      case 0xc2: // false
      case 0xc3: // true
        return true;
      case 0xc4: // bin 8
      case 0xd9: // str 8
        return avail >= 1 && this.sized(1, buf[pos + 1]!);
      case 0xc5: // bin 16
      case 0xda: // str 16
        return avail >= 2 && this.sized(2, buf.readUInt16BE(pos + 1));
      case 0xc6: // bin 32
      case 0xdb: // str 32
        return avail >= 4 && this.sized(4, buf.readUInt32BE(pos + 1));
      case 0xc7: // ext 8: length, type, data
        return avail >= 1 && this.sized(2, buf[pos + 1]!);
      case 0xc8: // ext 16
        return avail >= 2 && this.sized(3, buf.readUInt16BE(pos + 1));
      case 0xc9: // ext 32
        return avail >= 4 && this.sized(5, buf.readUInt32BE(pos + 1));
      case 0xca: // float 32
        return this.sized(0, 4);
      case 0xcb: // float 64
        return this.sized(0, 8);
      case 0xcc: // uint 8
      case 0xd0: // int 8
        return this.sized(0, 1);
      case 0xcd:
      case 0xd1:
        return this.sized(0, 2);
      case 0xce:
      case 0xd2:
        return this.sized(0, 4);
      case 0xcf:
      case 0xd3:
        return this.sized(0, 8);
      case 0xd4: // fixext 1..16: type byte + data
        return this.sized(0, 2);
      case 0xd5:
        return this.sized(0, 3);
      case 0xd6:
        return this.sized(0, 5);
      case 0xd7:
        return this.sized(0, 9);
      case 0xd8:
        return this.sized(0, 17);
      case 0xdc: // array 16
        return avail >= 2 && this.container(buf.readUInt16BE(pos + 1), 2);
      case 0xdd: // array 32
        return avail >= 4 && this.container(buf.readUInt32BE(pos + 1), 4);
      case 0xde: // map 16
        return avail >= 2 && this.container(buf.readUInt16BE(pos + 1) * 2, 2);
      case 0xdf: // map 32
        return avail >= 4 && this.container(buf.readUInt32BE(pos + 1) * 2, 4);
      default: // 0xc1 is "never used"
        throw new SegError('SEG_ERR_PROTOCOL', `msgpack: byte 0x${b.toString(16)} at frame offset ${pos - this.start} is not a valid type`);
    }
  }

  private sized(lengthBytes: number, payload: number): true {
    this.headerBytes = 1 + lengthBytes;
    this.payloadBytes = payload;
    return true;
  }

  private container(elements: number, lengthBytes = 0): true {
    this.headerBytes = 1 + lengthBytes;
    this.children = elements;
    return true;
  }

  private grow(extra: number): void {
    const live = this.end - this.start;
    const capacity = Math.max(MIN_CAPACITY, (live + extra) * 2);
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.end);
    this.scanPos -= this.start;
    this.buf = next;
    this.start = 0;
    this.end = live;
  }
}
