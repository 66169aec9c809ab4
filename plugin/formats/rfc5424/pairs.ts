/**
 * The `key=value` text Segura documents for its RFC 5424 MSG ("a set in key = value format,
 * separated by spaces; the keys have the same name as the CEF"), also used for the Sensage
 * `extra` column. Each pair is written exactly as a CEF extension pair, with the CEF
 * module's key check, value policy and escaping, so any CEF-extension parser decodes it:
 * - a key that is not a valid CEF key (a letter, then letters/digits) is left out, with a
 *   `key-invalid` diagnostic, because it could not be split back out of the text;
 * - trailing whitespace is dropped (CEF cannot carry it) and an empty value leaves the pair out;
 * - `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r`, other controls → space, lone surrogate → U+FFFD.
 */
import type { Field } from '../../core/record.js';
import { escapeExtensionValue, isValidCefKey, sanitizeExtensionValue } from '../cef/cef-escape.js';
import { preview, type Report } from './syslog-header.js';

/** Keys already found valid: a Set lookup is cheaper than the key regex on every pair. Bounded. */
const validKeys = new Set<string>();
const VALID_KEYS_LIMIT = 4096;

function keyIsValid(key: string): boolean {
  if (validKeys.has(key)) return true;
  if (!isValidCefKey(key)) return false;
  if (validKeys.size >= VALID_KEYS_LIMIT) validKeys.clear();
  validKeys.add(key);
  return true;
}

/** Appends one pair to `out` (space-separated); returns `out` unchanged when the pair is left out. */
export function appendPair(out: string, field: Field, origin: string, report: Report): string {
  if (!keyIsValid(field.key)) {
    report(origin, {
      code: 'key-invalid',
      field: field.key,
      message: `key ${preview(field.key)} is not a valid CEF key (a letter, then letters or digits); pair left out`,
    });
    return out;
  }
  const value = sanitizeExtensionValue(field.value);
  if (value.length === 0) return out;
  const pair = `${field.key}=${escapeExtensionValue(value)}`;
  return out.length === 0 ? pair : `${out} ${pair}`;
}

/** All of `fields` as space-separated pairs, in order. */
export function renderPairs(fields: readonly Field[], origin: string, report: Report): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out = appendPair(out, fields[i]!, origin, report);
  return out;
}
