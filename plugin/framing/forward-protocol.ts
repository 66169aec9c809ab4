/**
 * Pieces of the Fluent Forward protocol v1 ("Forward Protocol Specification v1", fluent/fluentd
 * wiki) that both ends share: the EventTime extension (msgpack ext type 0), msgpack decoders
 * set up for Forward traffic, the handshake digests (HELO/PING/PONG) and the small messages
 * the two sides exchange. The server (inputs/forward) and the client sink (sinks/forward)
 * import this; it knows nothing of sockets, records or formats.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { SegError } from '../core/errors.js';

/** EventTime: seconds and nanoseconds since the epoch (spec "EventTime Ext Format"). */
export class ForwardEventTime {
  constructor(
    readonly seconds: number,
    readonly nanoseconds: number,
  ) {}

  /** 8 bytes: 32-bit big-endian seconds, then 32-bit big-endian nanoseconds. */
  static fromBytes(data: Uint8Array): ForwardEventTime {
    if (data.length !== 8) {
      throw new SegError('SEG_ERR_PROTOCOL', `EventTime (ext type 0) must carry 8 bytes, got ${data.length}`);
    }
    const view = new DataView(data.buffer, data.byteOffset, 8);
    return new ForwardEventTime(view.getUint32(0), view.getUint32(4));
  }

  toBytes(): Uint8Array {
    const data = new Uint8Array(8);
    const view = new DataView(data.buffer);
    view.setUint32(0, this.seconds);
    view.setUint32(4, this.nanoseconds);
    return data;
  }
}

export const EVENT_TIME_EXT_TYPE = 0;

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: EVENT_TIME_EXT_TYPE,
  encode: (value: unknown) => (value instanceof ForwardEventTime ? value.toBytes() : null),
  decode: (data: Uint8Array) => ForwardEventTime.fromBytes(data),
});

const utf8Lenient = new TextDecoder('utf-8');

/** Map keys may arrive as str or bin; bin keys are read as UTF-8. Anything else is refused. */
function mapKey(key: unknown): string | number {
  if (typeof key === 'string' || typeof key === 'number') return key;
  if (key instanceof Uint8Array) return utf8Lenient.decode(key);
  throw new SegError('SEG_ERR_PROTOCOL', `map key of type ${describe(key)} (expected str or bin)`);
}

/**
 * A decoder for Forward traffic: EventTime registered, bin map keys accepted. With `rawStrings`
 * every str value comes back as bytes: needed where the peer packs binary data as str (the
 * handshake nonce and salt in Fluent Bit, PackedForward entries from Fluentd's out_forward).
 */
export function createForwardDecoder(rawStrings = false): Decoder {
  return new Decoder({ extensionCodec, rawStrings, mapKeyConverter: mapKey });
}

/** An encoder that writes ForwardEventTime as ext type 0 (fixext 8). */
export function createForwardEncoder(): Encoder {
  return new Encoder({ extensionCodec, ignoreUndefined: true });
}

/** The text of a str (string) or bin/raw-str (bytes) value, or undefined for anything else. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8Lenient.decode(value);
  return undefined;
}

/** Bytes of a str/bin value (strings as UTF-8), or undefined. */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'str/bin';
  if (value instanceof ForwardEventTime) return 'EventTime';
  if (value instanceof ExtData) return `ext type ${value.type}`;
  if (isPlainMap(value)) return 'map';
  return typeof value;
}

/**
 * sha512_hex(salt + hostname + nonce + shared_key): the PING and PONG `shared_key_hexdigest`
 * (spec "PING"/"PONG"; the PONG uses the server's hostname, the PING the client's).
 */
export function sharedKeyDigest(salt: Uint8Array, hostname: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): string {
  return createHash('sha512').update(salt).update(hostname).update(nonce).update(sharedKey).digest('hex');
}

/** Constant-time comparison of a received hex digest with the expected one. */
export function digestMatches(received: Uint8Array, expected: string): boolean {
  const want = Buffer.from(expected, 'latin1');
  return received.length === want.length && timingSafeEqual(received, want);
}

/** `["HELO", {nonce, auth, keepalive}]`. An empty `auth` tells the client no user/password is needed. */
export function heloMessage(nonce: Uint8Array): unknown[] {
  return ['HELO', { nonce, auth: '', keepalive: true }];
}

/** `["PING", hostname, salt, digest, username, password]`; user authentication is not used. */
export function pingMessage(hostname: string, salt: string, digest: string): unknown[] {
  return ['PING', hostname, salt, digest, '', ''];
}

/** `["PONG", auth_result, reason, server_hostname, digest]`. */
export function pongMessage(ok: boolean, reason: string, hostname: string, digest: string): unknown[] {
  return ['PONG', ok, reason, hostname, digest];
}
