/**
 * Encodes formatted lines as one Forward-mode request for a Fluent Forward receiver:
 * `[tag, [[EventTime, {line, event_id, severity, host}], …], {chunk, size}]` (spec "Forward
 * Mode", "Option", "EventTime Ext Format"). Absent routing fields are omitted. The chunk id is
 * the base64 of 16 random bytes (the spec's 128-bit unique id); the receiver answers
 * `{"ack": id}`. Written by hand rather than with the msgpack library's encoder because this
 * shape is fixed and this is the hot path of the return leg: string lengths are measured
 * natively, the payload is allocated once, and the EventTime bytes are shared by all entries.
 */
import { randomBytes } from 'node:crypto';
import type { OutLine } from '../../core/sink.js';

export interface EncodedChunk {
  readonly id: string;
  /** The whole request, kept to be re-sent unchanged (same id) after a lost connection. */
  readonly payload: Buffer;
}

const KEY_LINE = Buffer.from([0xa4, ...Buffer.from('line')]);
const KEY_EVENT_ID = Buffer.from([0xa8, ...Buffer.from('event_id')]);
const KEY_SEVERITY = Buffer.from([0xa8, ...Buffer.from('severity')]);
const KEY_HOST = Buffer.from([0xa4, ...Buffer.from('host')]);
const KEY_CHUNK = Buffer.from([0xa5, ...Buffer.from('chunk')]);
const KEY_SIZE = Buffer.from([0xa4, ...Buffer.from('size')]);
/** Entry array header, then fixext 8 of type 0 (EventTime). */
const ENTRY_HEAD = [0x92, 0xd7, 0x00];
const EVENT_TIME_BYTES = 10;

export class ChunkEncoder {
  private readonly tag: string;
  private readonly tagBytes: number;

  constructor(tag: string) {
    this.tag = tag;
    this.tagBytes = Buffer.byteLength(tag, 'utf8');
  }

  /** `nowMs` stamps every entry: lines carry no event time of their own past the formatter. */
  encode(lines: readonly OutLine[], nowMs = Date.now()): EncodedChunk {
    const id = randomBytes(16).toString('base64');
    const n = lines.length;
    // Pass 1: UTF-8 sizes of every string, so the payload is allocated exactly once.
    const sizes = new Int32Array(n * 4);
    let total = 1 + strSize(this.tagBytes) + arraySize(n);
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      total += ENTRY_HEAD.length + 8 + 1 + KEY_LINE.length + strSize((sizes[i * 4] = Buffer.byteLength(line.text, 'utf8')));
      if (line.eventId !== undefined) total += KEY_EVENT_ID.length + strSize((sizes[i * 4 + 1] = Buffer.byteLength(line.eventId, 'utf8')));
      if (line.severity !== undefined) total += KEY_SEVERITY.length + strSize((sizes[i * 4 + 2] = Buffer.byteLength(line.severity, 'utf8')));
      if (line.host !== undefined) total += KEY_HOST.length + strSize((sizes[i * 4 + 3] = Buffer.byteLength(line.host, 'utf8')));
    }
    total += 1 + KEY_CHUNK.length + strSize(id.length) + KEY_SIZE.length + uintSize(n);

    // Pass 2: write.
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    out[at++] = 0x93; // [tag, entries, option]
    at = writeStr(out, at, this.tag, this.tagBytes);
    at = writeArrayHeader(out, at, n);
    const timeAt = at + 1; // the first entry's EventTime, copied into the others
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      if (i === 0) {
        out[at] = ENTRY_HEAD[0]!;
        out[at + 1] = ENTRY_HEAD[1]!;
        out[at + 2] = ENTRY_HEAD[2]!;
        writeEventTime(out, at + 3, nowMs);
      } else {
        out[at] = ENTRY_HEAD[0]!;
        out.copy(out, at + 1, timeAt, timeAt + EVENT_TIME_BYTES);
      }
      at += 1 + EVENT_TIME_BYTES;
      const fields = 1 + (line.eventId === undefined ? 0 : 1) + (line.severity === undefined ? 0 : 1) + (line.host === undefined ? 0 : 1);
      out[at++] = 0x80 | fields;
      at += KEY_LINE.copy(out, at);
      at = writeStr(out, at, line.text, sizes[i * 4]!);
      if (line.eventId !== undefined) {
        at += KEY_EVENT_ID.copy(out, at);
        at = writeStr(out, at, line.eventId, sizes[i * 4 + 1]!);
      }
      if (line.severity !== undefined) {
        at += KEY_SEVERITY.copy(out, at);
        at = writeStr(out, at, line.severity, sizes[i * 4 + 2]!);
      }
      if (line.host !== undefined) {
        at += KEY_HOST.copy(out, at);
        at = writeStr(out, at, line.host, sizes[i * 4 + 3]!);
      }
    }
    out[at++] = 0x82; // {chunk, size}
    at += KEY_CHUNK.copy(out, at);
    at = writeStr(out, at, id, id.length);
    at += KEY_SIZE.copy(out, at);
    writeUint(out, at, n);
    return { id, payload: out };
  }
}

/** Header plus payload size of a msgpack str of `bytes` bytes (fixstr, str 8/16/32). */
function strSize(bytes: number): number {
  return bytes + (bytes < 32 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5);
}

function arraySize(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5;
}

function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeStr(out: Buffer, at: number, text: string, bytes: number): number {
  if (bytes < 32) {
    out[at++] = 0xa0 | bytes;
  } else if (bytes < 0x100) {
    out[at++] = 0xd9;
    out[at++] = bytes;
  } else if (bytes < 0x10000) {
    out[at++] = 0xda;
    out.writeUInt16BE(bytes, at);
    at += 2;
  } else {
    out[at++] = 0xdb;
    out.writeUInt32BE(bytes, at);
    at += 4;
  }
  return at + out.write(text, at, bytes, 'utf8');
}

function writeArrayHeader(out: Buffer, at: number, n: number): number {
  if (n < 16) {
    out[at] = 0x90 | n;
    return at + 1;
  }
  if (n < 0x10000) {
    out[at] = 0xdc;
    out.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  out[at] = 0xdd;
  out.writeUInt32BE(n, at + 1);
  return at + 5;
}

function writeUint(out: Buffer, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0xcd;
    out.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  out[at] = 0xce;
  out.writeUInt32BE(n, at + 1);
  return at + 5;
}

/** fixext 8 payload of EventTime: big-endian seconds, then nanoseconds. */
function writeEventTime(out: Buffer, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  out.writeUInt32BE(seconds, at);
  out.writeUInt32BE(Math.round((ms - seconds * 1000) * 1e6), at + 4);
}
