/**
 * The formatter contract and the one registry every mode (stdio, follow, gRPC, forward)
 * builds its formatter from. A formatter turns one CanonicalRecord into one line with no
 * terminator; it knows nothing of transports or framing.
 */
import type { CanonicalRecord, Diagnostic, SpanRecord } from '../core/record.js';
import type { LineBuffer } from './line-buffer.js';

export type FormatName = 'cef' | 'rfc5424' | 'sensage';
export type EnvelopeName = 'none' | 'rfc5424' | 'rfc3164';

export const FORMAT_NAMES: readonly FormatName[] = ['cef', 'rfc5424', 'sensage'];
export const ENVELOPE_NAMES: readonly EnvelopeName[] = ['none', 'rfc5424', 'rfc3164'];

export interface CefOptions {
  /** Header vendor, default `MT4`. */
  vendor: string;
  /** Header product, default `Segura`. */
  product: string;
  /** Header version when the record carries no product version. */
  defaultProductVersion: string;
}

export interface SyslogOptions {
  /** RFC 5424 facility 0..23, default 1 (user). */
  facility: number;
  /** APP-NAME, default `Segura`. */
  appName: string;
  /** MSGID source: the event id, or always `-`. */
  msgId: 'event-id' | 'none';
  /** HOSTNAME when the record has none; default: the machine's name. */
  hostname: string;
  /** Put the event's fields in one SD-ELEMENT as well. */
  sd: boolean;
  /** SD-ID of that element, `name@PEN`. */
  sdId: string;
  /** Prefix MSG with a UTF-8 BOM. */
  bom: boolean;
  /** Reproduce Segura's published example (no STRUCTURED-DATA field). Not RFC 5424 conformant. */
  seguraCompat: boolean;
}

export interface SensageOptions {
  /** Column names in output order; see the Sensage layout in the README. */
  columns: readonly string[];
}

export interface FormatOptions {
  format: FormatName;
  /** Only for `cef`: the syslog header wrapped around the CEF line. */
  envelope: EnvelopeName;
  cef: CefOptions;
  syslog: SyslogOptions;
  sensage: SensageOptions;
  /** Cap on a line's UTF-8 size in bytes; undefined = no cap. */
  maxBytes: number | undefined;
}

/** Receives repairs (truncations, sanitised header fields) so they can be counted and logged. */
export type DiagnosticListener = (origin: string, d: Diagnostic) => void;

export interface Formatter {
  /**
   * Renders one record as one line (no CR or LF anywhere, no terminator).
   * `maxBytes` overrides the configured cap for this call (a sink's datagram limit).
   * Throws SegError('SEG_ERR_FORMAT') when the record cannot fit even with every
   * shrinkable value emptied.
   */
  format(rec: CanonicalRecord, maxBytes?: number): string;
  /**
   * Optional byte fast path (CEF without envelope and without a configured byte budget):
   * writes exactly the UTF-8 of `format(rec)` followed by LF into `out` and returns true, or
   * returns false, having written and reported nothing, when the record needs format().
   * Callers with a byte cap of their own (`maxBytes`) must use format().
   */
  formatInto?(rec: CanonicalRecord, out: LineBuffer): boolean;
  /**
   * formatInto for the line fast path's SpanRecord (offered with formatInto): the same bytes,
   * or false, having written and reported nothing, when the record needs the ordinary path.
   */
  formatSpansInto?(rec: SpanRecord, out: LineBuffer): boolean;
}

export type FormatterFactory = (opts: FormatOptions, onDiagnostic: DiagnosticListener) => Formatter;
