/**
 * The CEF renderer: one CanonicalRecord → one bare line
 * `CEF:0|Vendor|Product|Version|EventClassId|Name|Severity|key=value …` with no syslog
 * envelope, no terminator and no byte budget (the format registry adds those). The escaped
 * `CEF:0|vendor|product|` prefix and the default version are computed once at build time;
 * per record only the record's own header fields and extension values are escaped.
 * Repairs (truncated or sanitised header fields, an invalid severity or key, a value that
 * became empty) are reported to the DiagnosticListener, never silently.
 */
import type { CanonicalRecord, Field } from '../../core/record.js';
import type { DiagnosticListener, FormatOptions } from '../formatter.js';
import {
  CEF_SEVERITIES,
  escapeExtensionValue,
  escapeHeaderField,
  headerFieldIsLossy,
  isValidCefKey,
  sanitizeExtensionValue,
  truncateCodePoints,
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

  /** Fast path: no pair is dropped. Returns undefined when one is, so labels can be revisited. */
  const renderExtension = (rec: CanonicalRecord): string | undefined => {
    const fields = rec.fields;
    let ext = '';
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const value = sanitizeExtensionValue(f.value);
      if (value.length === 0 || !isValidCefKey(f.key)) return undefined;
      ext += (i === 0 ? '' : ' ') + f.key + '=' + escapeExtensionValue(value);
    }
    return ext;
  };

  return (rec) => renderHeader(rec) + (renderExtension(rec) ?? renderExtensionDropping(rec, onDiagnostic));
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
