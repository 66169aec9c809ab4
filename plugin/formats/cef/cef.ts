/**
 * The CEF renderer: one CanonicalRecord → one bare line
 * `CEF:0|Vendor|Product|Version|EventClassId|Name|Severity|key=value …` with no syslog
 * envelope, no terminator and no byte budget (the format registry adds those). The escaped
 * `CEF:0|vendor|product|` prefix and the default version are computed once at build time;
 * per record only the record's own header fields and extension values are escaped.
 * Repairs (truncated or sanitised header fields, an invalid severity or key, a value that
 * became empty) are reported to the DiagnosticListener, never silently.
 *
 * Three outputs with the same bytes: `render` (a string, for envelopes and byte budgets),
 * `writeInto` (UTF-8 straight into a LineBuffer, the stdio fast path: escaping and encoding
 * in one pass, no per-pair strings) and `writeSpansInto` (the same for the line fast path,
 * whose plain values are still UTF-8 bytes of the input line: escaped as they are copied).
 * All share a cache of headers that needed no repair, keyed by event id, and per-key `key=`
 * prefixes (no key regex per pair).
 */
import type { CanonicalRecord, Field, SpanRecord } from '../../core/record.js';
import type { DiagnosticListener, FormatOptions } from '../formatter.js';
import type { LineBuffer } from '../line-buffer.js';
import {
  CEF_SEVERITIES,
  endsWithTrailingBlank,
  escapeExtensionValue,
  escapeHeaderField,
  headerFieldIsLossy,
  isValidCefKey,
  sanitizeExtensionValue,
  sanitizedLength,
  truncateCodePoints,
  writeExtensionBytes,
  writeExtensionValue,
} from './cef-escape.js';

/** Header maxima from the spec's "Header Field Definitions", in code points of the unescaped value. */
export const CEF_HEADER_MAX = {
  vendor: 63,
  product: 63,
  version: 31,
  eventClassId: 1023,
  name: 512,
} as const;

type HeaderName = keyof typeof CEF_HEADER_MAX;

/** Written when the record has no event id / no name: a header field must never be absent. */
export const CEF_UNKNOWN_CLASS_ID = 'unknown';
export const CEF_UNKNOWN_NAME = 'unknown';
/** Written instead of a severity that is not 0-10 or one of the five spec names. */
export const CEF_FALLBACK_SEVERITY = 'Unknown';

/** Origin used for diagnostics about configured (not per-record) header values. */
const CONFIG_ORIGIN = 'config';

export function buildCefRender(
  opts: FormatOptions,
  onDiagnostic: DiagnosticListener,
): (rec: CanonicalRecord) => string {
  return buildCef(opts, onDiagnostic).render;
}

export interface CefRenderers {
  /** The line as a string. */
  readonly render: (rec: CanonicalRecord) => string;
  /**
   * The byte fast path: writes exactly the UTF-8 of `render(rec)` and an LF into `out` and
   * returns true; returns false, having written and reported nothing, when some pair must be
   * dropped (the string path's slow case, which reports why).
   */
  readonly writeInto: (rec: CanonicalRecord, out: LineBuffer) => boolean;
  /** The same for the line fast path's SpanRecord; false (nothing written or reported) to decline. */
  readonly writeSpansInto: (rec: SpanRecord, out: LineBuffer) => boolean;
}

/** The string renderer and the byte writer, sharing one header cache. */
export function buildCef(opts: FormatOptions, onDiagnostic: DiagnosticListener): CefRenderers {
  const headerField = (origin: string, field: HeaderName, value: string): string => {
    const max = CEF_HEADER_MAX[field];
    const cut = truncateCodePoints(value, max);
    if (cut !== value) {
      onDiagnostic(origin, {
        code: 'truncated',
        field,
        message: `CEF header ${field} cut to ${max} code points`,
      });
    }
    const escaped = escapeHeaderField(cut);
    if (escaped !== cut && headerFieldIsLossy(cut)) {
      onDiagnostic(origin, {
        code: 'header-sanitized',
        field,
        message: `CEF header ${field}: line breaks and control characters replaced by spaces`,
      });
    }
    return escaped;
  };

  const prefix =
    'CEF:0|' +
    headerField(CONFIG_ORIGIN, 'vendor', opts.cef.vendor) +
    '|' +
    headerField(CONFIG_ORIGIN, 'product', opts.cef.product) +
    '|';
  const defaultVersion = headerField(CONFIG_ORIGIN, 'version', opts.cef.defaultProductVersion);

  const severityOf = (rec: CanonicalRecord): string => {
    if (CEF_SEVERITIES.has(rec.severity)) return rec.severity;
    onDiagnostic(rec.origin, {
      code: 'severity-invalid',
      field: 'severity',
      message: `severity ${JSON.stringify(rec.severity)} is not 0-10 or a CEF severity name; wrote ${CEF_FALLBACK_SEVERITY}`,
    });
    return CEF_FALLBACK_SEVERITY;
  };

  const renderHeader = (rec: CanonicalRecord): string => {
    const { origin, productVersion, eventId, name } = rec;
    const version = productVersion ? headerField(origin, 'version', productVersion) : defaultVersion;
    const classId = eventId ? headerField(origin, 'eventClassId', eventId) : CEF_UNKNOWN_CLASS_ID;
    const title = name ? headerField(origin, 'name', name) : CEF_UNKNOWN_NAME;
    return prefix + version + '|' + classId + '|' + title + '|' + severityOf(rec) + '|';
  };

  // Most records repeat a few headers (one product version, one name per event id): a header
  // whose fields needed no repair is remembered by event id, so the next record with the same
  // four values costs four string comparisons and yields one flat string. Headers that were
  // repaired are never remembered, so every record reports its own repairs.
  const headers = new Map<string, CachedHeader>();
  const cachedHeader = (rec: CanonicalRecord): string => {
    const { productVersion, eventId, name, severity } = rec;
    if (!eventId) return renderHeader(rec);
    const hit = headers.get(eventId);
    if (hit !== undefined && hit.version === productVersion && hit.name === name && hit.severity === severity) return hit.text;
    const text = renderHeader(rec);
    if (isCleanHeaderField(productVersion, CEF_HEADER_MAX.version) && isCleanHeaderField(eventId, CEF_HEADER_MAX.eventClassId) &&
      isCleanHeaderField(name, CEF_HEADER_MAX.name) && CEF_SEVERITIES.has(severity)) {
      if (headers.size >= HEADER_CACHE_LIMIT) headers.clear();
      headers.set(eventId, { version: productVersion, name, severity, text, bytes: undefined });
    }
    return text;
  };

  /** Fast path: no pair is dropped. Returns undefined when one is, so labels can be revisited. */
  const renderExtension = (fields: readonly Field[]): string | undefined => {
    let ext = '';
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const key = keyTextOf(f.key);
      const value = sanitizeExtensionValue(f.value);
      if (value.length === 0 || key === undefined) return undefined;
      ext += (i === 0 ? key.first : key.next) + escapeExtensionValue(value);
    }
    return ext;
  };

  const render = (rec: CanonicalRecord): string =>
    cachedHeader(rec) + (renderExtension(rec.fields) ?? renderExtensionDropping(rec, onDiagnostic));

  // The key texts found at each position of earlier records of the same message type: such
  // records share their layout, so a comparison (usually of the very same string) replaces
  // the lookup. One memo per type (the type slug is a catalog constant, cheap to look up).
  const memos = new Map<string | undefined, KeyMemo>();
  let memo: KeyMemo = newKeyMemo();
  const keyTextAt = (i: number, key: string): KeyText | undefined => {
    if (i < MEMO_PAIRS && memo.keys[i] === key) return memo.texts[i];
    const text = keyTextOf(key);
    if (text !== undefined && i < MEMO_PAIRS) {
      memo.keys[i] = key;
      memo.texts[i] = text;
    }
    return text;
  };
  const useMemoOf = (messageType: string | undefined): void => {
    let m = memos.get(messageType);
    if (m === undefined) {
      if (memos.size >= MEMO_TYPES) memos.clear();
      m = newKeyMemo();
      memos.set(messageType, m);
    }
    memo = m;
  };

  /**
   * Writes the pairs after a header already in `out`; false (the line undone) when a pair
   * must be dropped. Room is made pair by pair: the worst case of a value is 3 bytes per
   * UTF-16 unit, plus the prefix written as whole words.
   */
  const writePairs = (fields: readonly Field[], out: LineBuffer): boolean => {
    let buf = out.buf;
    let view = out.view;
    let p = out.pos;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const key = keyTextAt(i, f.key);
      const end = sanitizedLength(f.value);
      if (key === undefined || end === 0) {
        out.undoLine();
        return false;
      }
      const room = PREFIX_WORD_BYTES + key.nextBytes.length + end * 3 + 1;
      if (p + room > buf.length) ({ buf, view } = grown(out, p, room));
      p = writePrefix(i, key, buf, view, p);
      p = writeExtensionValue(f.value, end, buf, p);
    }
    out.pos = p;
    out.endLine();
    return true;
  };

  const writeInto = (rec: CanonicalRecord, out: LineBuffer): boolean => {
    const fields = rec.fields;
    useMemoOf(rec.messageType);
    const header = headerBytes(rec);
    if (header === undefined) {
      // Rendering this header may report repairs: first make sure no pair is dropped (the
      // string path would report the header again).
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (keyTextAt(i, f.key) === undefined || sanitizedLength(f.value) === 0) return false;
      }
      out.writeText(cachedHeader(rec));
    } else {
      out.writeBytes(header);
    }
    return writePairs(fields, out);
  };

  /** The header's UTF-8 when it is in the cache (no repair, nothing to report), else undefined. */
  const headerBytes = (rec: Omit<CanonicalRecord, 'fields'>): Uint8Array | undefined => {
    const { productVersion, eventId, name, severity } = rec;
    if (!eventId) return undefined;
    const hit = headers.get(eventId);
    if (hit === undefined || hit.version !== productVersion || hit.name !== name || hit.severity !== severity) return undefined;
    return (hit.bytes ??= Buffer.from(hit.text, 'utf8'));
  };

  /**
   * writeInto for the line fast path: the same bytes, with the values that are still byte
   * ranges of the input line copied and escaped from there. False (nothing written) when the
   * header is not cached or a value would be dropped or trimmed: the caller then takes the
   * ordinary path, which reports why.
   */
  const writeSpansInto = (rec: SpanRecord, out: LineBuffer): boolean => {
    useMemoOf(rec.messageType);
    const header = headerBytes(rec);
    if (header === undefined) return false;
    out.writeBytes(header);
    const { keys, texts, starts, ends, bytes, bytesView } = rec;
    let buf = out.buf;
    let view = out.view;
    let p = out.pos;
    for (let i = 0; i < rec.fieldCount; i++) {
      const key = keyTextAt(i, keys[i]!);
      const text = texts[i];
      let end = 0;
      let room: number;
      if (text !== undefined) {
        end = sanitizedLength(text);
        room = end * 3;
      } else {
        room = (ends[i]! - starts[i]!) * 2;
        if (endsWithTrailingBlank(bytes, starts[i]!, ends[i]!)) room = 0;
      }
      if (key === undefined || room === 0) {
        out.undoLine();
        return false;
      }
      room += PREFIX_WORD_BYTES + key.nextBytes.length + 1;
      if (p + room > buf.length) ({ buf, view } = grown(out, p, room));
      p = writePrefix(i, key, buf, view, p);
      p = text !== undefined ? writeExtensionValue(text, end, buf, p) : writeExtensionBytes(bytes, bytesView, starts[i]!, ends[i]!, buf, view, p);
    }
    out.pos = p;
    out.endLine();
    return true;
  };

  return { render, writeInto, writeSpansInto };
}

/** `out`, grown so that `room` more bytes fit at `p` (a writer's position, ahead of out.pos). */
function grown(out: LineBuffer, p: number, room: number): LineBuffer {
  out.pos = p;
  out.reserve(room);
  return out;
}

/** Writes a pair's `key=` or ` key=` at `p`; the position after it. */
function writePrefix(i: number, key: KeyText, buf: Uint8Array, view: DataView, p: number): number {
  if (i > 0 && key.nextBytes.length <= PREFIX_WORD_BYTES) {
    // Up to 12 bytes as three little-endian words; bytes past the prefix are overwritten next.
    view.setUint32(p, key.nextWords[0]!, true);
    view.setUint32(p + 4, key.nextWords[1]!, true);
    view.setUint32(p + 8, key.nextWords[2]!, true);
    return p + key.nextBytes.length;
  }
  const prefix = i === 0 ? key.firstBytes : key.nextBytes;
  for (let k = 0; k < prefix.length; k++) buf[p++] = prefix[k]!;
  return p;
}

interface CachedHeader {
  readonly version: string | undefined;
  readonly name: string | undefined;
  readonly severity: string;
  readonly text: string;
  /** `text` as UTF-8, made the first time the byte writer uses it. */
  bytes: Uint8Array | undefined;
}

/** Distinct event ids whose header is remembered (bounded: ids come from the input). */
const HEADER_CACHE_LIMIT = 1024;

/** True when `value` (absent, or a header field) is written as it is: nothing to cut or escape. */
function isCleanHeaderField(value: string | undefined, max: number): boolean {
  return value === undefined || value.length === 0 || (value.length <= max && escapeHeaderField(value) === value);
}

/** `key=` (first pair) and ` key=` (every other pair) of a valid key, as text and as UTF-8. */
interface KeyText {
  readonly first: string;
  readonly next: string;
  readonly firstBytes: Uint8Array;
  readonly nextBytes: Uint8Array;
  /** The first 12 bytes of `nextBytes` (zero-padded) as little-endian 32-bit words. */
  readonly nextWords: Uint32Array;
}

/** Pair positions whose key text the byte writer remembers, per message type. */
const MEMO_PAIRS = 64;
/** Message types with a memo (bounded: types come from the catalog, or undefined). */
const MEMO_TYPES = 256;

interface KeyMemo {
  readonly keys: string[];
  readonly texts: KeyText[];
}

function newKeyMemo(): KeyMemo {
  return { keys: new Array<string>(MEMO_PAIRS).fill(''), texts: new Array<KeyText>(MEMO_PAIRS) };
}
/** Prefixes up to this length are written as three 32-bit words. */
const PREFIX_WORD_BYTES = 12;

/**
 * Keys seen so far, null for an invalid one. A prototype-less object, not a Map: keys come
 * from normalize (few, the same strings every record), and a property lookup with such a key
 * is cheaper than Map.get. Bounded: cleared when full.
 */
let keyTexts: Record<string, KeyText | null> = Object.create(null) as Record<string, KeyText | null>;
let keyTextCount = 0;
const KEY_TEXTS_LIMIT = 4096;

/** The pair prefixes of `key`, or undefined when it is not a valid CEF key (cached: no regex per pair). */
function keyTextOf(key: string): KeyText | undefined {
  const known = keyTexts[key];
  if (known !== undefined) return known ?? undefined;
  if (keyTextCount >= KEY_TEXTS_LIMIT) {
    keyTexts = Object.create(null) as Record<string, KeyText | null>;
    keyTextCount = 0;
  }
  const text = isValidCefKey(key) ? keyText(key) : null;
  keyTexts[key] = text;
  keyTextCount++;
  return text ?? undefined;
}

function keyText(key: string): KeyText {
  const first = key + '=';
  const next = ' ' + first;
  const nextBytes = Buffer.from(next, 'latin1');
  const padded = Buffer.alloc(PREFIX_WORD_BYTES);
  nextBytes.copy(padded, 0, 0, PREFIX_WORD_BYTES);
  const nextWords = new Uint32Array([padded.readUInt32LE(0), padded.readUInt32LE(4), padded.readUInt32LE(8)]);
  return { first, next, firstBytes: Buffer.from(first, 'latin1'), nextBytes, nextWords };
}

/**
 * Slow path for records where some pair must be dropped: an invalid key (normalize should
 * never produce one) or a value that is empty after the whitespace policy. When a custom
 * value is dropped its label (`cs1` → `cs1Label`) goes with it, so no orphan label is sent.
 */
function renderExtensionDropping(rec: CanonicalRecord, onDiagnostic: DiagnosticListener): string {
  const values = rec.fields.map((f) => sanitizeExtensionValue(f.value));
  const emptied = new Set<string>();
  rec.fields.forEach((f, i) => {
    if (values[i]!.length === 0 && isValidCefKey(f.key)) emptied.add(f.key);
  });
  const parts: string[] = [];
  rec.fields.forEach((f: Field, i) => {
    if (!isValidCefKey(f.key)) {
      onDiagnostic(rec.origin, {
        code: 'key-invalid',
        field: f.key,
        message: `extension key ${JSON.stringify(f.key)} is not a letter followed by letters or digits; pair dropped`,
      });
      return;
    }
    const value = values[i]!;
    if (value.length === 0) {
      if (f.value.length > 0) {
        onDiagnostic(rec.origin, {
          code: 'value-empty',
          field: f.key,
          message: `value of ${f.key} is only whitespace; pair dropped (with ${f.key}Label, if any)`,
        });
      }
      return;
    }
    if (f.key.endsWith('Label') && emptied.has(f.key.slice(0, -'Label'.length))) return;
    parts.push(f.key + '=' + escapeExtensionValue(value));
  });
  return parts.join(' ');
}
