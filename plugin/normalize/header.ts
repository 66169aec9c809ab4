/**
 * Header values of a record: the event id (Signature ID, may contain a dot), CEF severity
 * and the derivation of CEF severity from a syslog priority. Every accepted spelling in,
 * one exact spelling out.
 */

/** CEF severity names (cef.md §1.3), keyed by their lower-case spelling. */
const SEVERITY_NAMES: ReadonlyMap<string, string> = new Map([
  ['unknown', 'Unknown'],
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['high', 'High'],
  ['very-high', 'Very-High'],
]);

/** Severity texts 0..10, indexed by number (no per-record String()). */
const SEVERITY_NUMBERS: readonly string[] = Array.from({ length: 11 }, (_, i) => String(i));

/**
 * CEF severity from a record: an integer 0-10 (number or text) or a name, case-insensitive.
 * Returns undefined when the value is not a severity at all (the caller raises SEG_ERR_FIELD).
 */
export function parseSeverity(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value >= 0n && value <= 10n ? SEVERITY_NUMBERS[Number(value)] : undefined;
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= 10 ? SEVERITY_NUMBERS[value] : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const n = text.length;
  if (n === 1 || n === 2) {
    const num = Number(text);
    if (Number.isInteger(num) && num >= 0 && num <= 10 && isDigits(text)) return SEVERITY_NUMBERS[num];
  }
  return SEVERITY_NAMES.get(text.toLowerCase());
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * CEF severity for a syslog severity: `10 − syslogSeverity`, so emerg(0) → 10, alert(1) → 9
 * (Segura's one published pair: event 336.501, priority alert, CEF severity 9), crit → 8,
 * err → 7, warning → 6, notice → 5, info → 4, debug → 3.
 */
export function severityFromPriority(syslogSeverity: number): string {
  return SEVERITY_NUMBERS[10 - syslogSeverity]!;
}

/**
 * The event id as text. Strings are kept as given (trimmed). Numbers: integers as they are;
 * a number with a fraction is written with at least three decimals, because Segura's dotted
 * ids always have three (`336.5` → `336.500`, `1695.01` → `1695.010`) and JSON numbers lose
 * trailing zeros. Dotted ids should be sent as strings. Undefined for anything else.
 */
export function eventIdText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const t = value.trim();
    return t.length === 0 ? undefined : t;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (Number.isInteger(value)) return String(value);
    const text = String(value);
    const dot = text.indexOf('.');
    if (dot < 0 || text.includes('e')) return text;
    return text.length - dot - 1 >= 3 ? text : value.toFixed(3);
  }
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

/** Short text of a header value for a header that must be text (name, host, version, pid). */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length === 0 ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}
