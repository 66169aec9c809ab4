/**
 * The shared vocabulary of the data flow: what an input hands to normalize, and what
 * normalize hands to every formatter. Formatters see only these types, never the catalog.
 */

/** One input record before normalisation: a parsed JSON object plus where it came from. */
export interface RawRecord {
  /** Human-readable origin used in error reports: "line 12", a caller id, "chunk abc#3". */
  readonly origin: string;
  /** The decoded JSON object (or an equivalent map decoded from msgpack / protobuf). */
  readonly data: Record<string, unknown>;
}

/** A point in time as the record gave it, kept precise enough for RFC 5424 and CEF `rt`. */
export interface EventTime {
  /** Milliseconds since the Unix epoch (UTC). */
  readonly epochMs: number;
  /** Fraction of the second as 0-6 decimal digits, exactly as given (no rounding). */
  readonly fraction: string;
  /** Offset from UTC in minutes as the source wrote it (0 for `Z` and for epoch input). */
  readonly offsetMinutes: number;
}

/** One extension field, already under the key the chosen profile emits. */
export interface Field {
  readonly key: string;
  /** The unescaped value. Formatters escape; normalize has already applied type and length policy. */
  readonly value: string;
  /**
   * Order in which a byte budget may shorten this value: 0 first (`msg`), 1 other free text,
   * undefined = never shortened (typed values, labels, ids).
   */
  readonly shrinkRank?: number;
  /**
   * The documented (catalog) name of this value when the profile wrote it under another key
   * (`dport` → `dpt`, strict `MT4SeguraSourceDisplayName` → `sname`, an IPv6 `c6a3` → `dst`).
   * Formats with fixed columns (Sensage) file the value by it, whatever the profile.
   */
  readonly column?: string | undefined;
}

/** A record ready for any formatter. Header values are unescaped; formatters sanitise them. */
export interface CanonicalRecord {
  readonly origin: string;
  /** Segura event id as a string, may contain a dot (`336.501`). */
  readonly eventId: string | undefined;
  /** Event name (catalog name when the record had none). */
  readonly name: string | undefined;
  /** CEF severity, already validated: "0".."10" or Unknown/Low/Medium/High/Very-High. */
  readonly severity: string;
  /** Syslog severity 0..7 (RFC 5424 table 2). */
  readonly syslogSeverity: number;
  readonly productVersion: string | undefined;
  readonly time: EventTime | undefined;
  readonly host: string | undefined;
  readonly procId: string | undefined;
  /** Catalog message-type slug when known (`password-request`), for routing and Sensage. */
  readonly messageType: string | undefined;
  /** Documented keys in documented order, labels filled, then kept extras in input order. */
  readonly fields: readonly Field[];
}

/** A non-fatal repair made while normalising or formatting (a truncation, a replaced character). */
export interface Diagnostic {
  readonly code: string;
  readonly field?: string;
  readonly message: string;
}

/**
 * The line fast path's view of one input line (bare CEF on stdout): a flat JSON object read
 * straight from the line's bytes, not yet decoded. Keys are compared as bytes; values stay
 * byte ranges of `bytes` unless asked for. Valid until the next line. Implementation:
 * inputs/json-scan.ts; consumer: Normalizer.normalizeLine.
 */
export interface LineFields {
  /** The buffer holding the line, and a DataView of exactly it (for reading words). */
  readonly bytes: Uint8Array;
  readonly bytesView: DataView;
  /** Number of members, in input order. */
  readonly count: number;
  /** Where value `i`'s bytes are: the UTF-8 text of a plain string, or an integer's digits. */
  readonly valueStart: Int32Array;
  readonly valueEnd: Int32Array;
  /** True when member `i`'s name is exactly these UTF-8 bytes. */
  keyIs(i: number, key: Uint8Array): boolean;
  /** A hash of member `i`'s name (FNV-1a of its bytes, core/hash.ts), to find it in a table quickly. */
  keyHash(i: number): number;
  /** Member `i`'s name. */
  keyText(i: number): string;
  /**
   * True when value `i`'s bytes are its field text as they are (a string without escapes,
   * or an integer written as valueText writes it), so it need not be decoded.
   */
  isPlain(i: number): boolean;
  /** True when value `i` is null or the empty string (a field left out). */
  isEmpty(i: number): boolean;
  /** True when value `i` is a string (escaped or not). */
  isString(i: number): boolean;
  /** Value `i` exactly as JSON.parse gives it (a string, number, boolean or null). */
  value(i: number): unknown;
  /**
   * value(i), for values that repeat from record to record (a type, a version, a host):
   * remembered by their bytes, so a repeat is not decoded again.
   */
  repeatedValue(i: number): unknown;
}

/**
 * What Normalizer.normalizeLine hands the byte writer: a CanonicalRecord (without `fields`,
 * and with an empty origin: the fast path reports nothing, it declines instead) whose
 * field values are either text or still byte ranges of the input line. Reused: valid
 * until the next record.
 */
export interface SpanRecord extends Omit<CanonicalRecord, 'fields'> {
  /** The input line's buffer, which the byte ranges point into, and a DataView of exactly it. */
  readonly bytes: Uint8Array;
  readonly bytesView: DataView;
  readonly fieldCount: number;
  readonly keys: readonly string[];
  /** Field `i`'s text, or undefined when it is bytes[starts[i], ends[i]): UTF-8, not empty. */
  readonly texts: ReadonlyArray<string | undefined>;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}
