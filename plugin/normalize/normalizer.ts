/**
 * The normalize stage's contract: RawRecord (any accepted input shape) in, CanonicalRecord
 * out, under the chosen key profile. Pure; no I/O. Implementation: ./normalize.ts.
 */
import type { CanonicalRecord, LineFields, RawRecord, SpanRecord } from '../core/record.js';

export type ProfileName = 'segura' | 'strict';
export const PROFILE_NAMES: readonly ProfileName[] = ['segura', 'strict'];

export interface NormalizeOptions {
  /** `segura`: documented keys exactly as Segura writes them; `strict`: CEF dictionary keys only. */
  profile: ProfileName;
  /** Drop fields that are neither documented nor CEF keys instead of keeping them. */
  dropUnknown: boolean;
  /** CEF severity when neither the record nor the catalog gives one ("0".."10" or a name). */
  defaultSeverity: string;
  /** Syslog severity 0..7 when neither the record nor the catalog gives one. */
  defaultSyslogSeverity: number;
  /** Site-specific input names: `{ "userLogin": "suser" }` maps a record's key to a documented key. */
  aliases: Readonly<Record<string, string>>;
}

export interface Normalizer {
  /** Throws SegError (permanent) when the record can never be formatted. */
  normalize(raw: RawRecord): CanonicalRecord;
  /**
   * The line fast path (bare CEF on stdout): the record read from its bytes, laid out as
   * normalize() would have laid it out, with plain values left as byte ranges; or undefined,
   * having reported nothing, when it must go through normalize(). The result is reused:
   * valid until the next call.
   */
  normalizeLine?(line: LineFields): SpanRecord | undefined;
}
