/**
 * Syslog severities (RFC 5424 §6.2.1, table 2) as Segura's event table and our flags name
 * them. One parser for the catalog, the normalize stage and the configuration, so a
 * priority written as `alert`, `1` or `warn` means the same thing everywhere.
 */

/** Index = RFC 5424 severity number. */
export const PRIORITY_NAMES: readonly string[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** Other spellings in use (Segura's table writes `critical` and `error`). */
const PRIORITY_ALIASES: ReadonlyMap<string, number> = new Map([
  ['emergency', 0],
  ['critical', 2],
  ['error', 3],
  ['warn', 4],
  ['informational', 6],
]);

/** Parses a syslog priority given as a name (`notice`, `alert`) or a number 0-7. */
export function parsePriority(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 7 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v.length === 1 && v >= '0' && v <= '7') return v.charCodeAt(0) - 48;
  const i = PRIORITY_NAMES.indexOf(v);
  if (i >= 0) return i;
  return PRIORITY_ALIASES.get(v);
}
