/**
 * RFC 5424 STRUCTURED-DATA (§6.3): one SD-ELEMENT `[SD-ID PARAM-NAME="PARAM-VALUE" …]` that
 * carries the record's fields when `--sd` is on.
 *
 * - PARAM-VALUE: exactly `"`, `\` and `]` are escaped with a backslash (§6.3.3); nothing
 *   else is, since any other backslash pair would be read back as two characters.
 * - Characters SD has no escape for and that must never reach a line (CR, LF) or that
 *   readers treat as breaks (the other C0 controls incl. TAB, DEL, U+0085, U+2028, U+2029)
 *   become one space each, the same policy as CEF; a lone UTF-16 surrogate (not encodable
 *   in UTF-8, which PARAM-VALUE must be) becomes U+FFFD. Everything else, including
 *   non-ASCII and trailing spaces, is kept exactly.
 * - SD-ID and PARAM-NAME are SD-NAMEs: 1-32 PRINTUSASCII except `=`, SP, `]`, `"`. A bad
 *   name is repaired (`_` per bad character, cut to 32) with a diagnostic.
 */
import type { CanonicalRecord } from '../../core/record.js';
import { buildEscaper } from '../text-escape.js';
import { CONFIG_ORIGIN, preview, type Report } from './syslog-header.js';

const SD_NAME_MAX = 32;
const QUOTE = 0x22;
const CLOSE_BRACKET = 0x5d;

function isSdNameChar(code: number): boolean {
  return code >= 33 && code <= 126 && code !== 0x3d && code !== CLOSE_BRACKET && code !== QUOTE;
}

/** True when `name` is a valid SD-NAME. */
export function isValidSdName(name: string): boolean {
  if (name.length === 0 || name.length > SD_NAME_MAX) return false;
  for (let i = 0; i < name.length; i++) if (!isSdNameChar(name.charCodeAt(i))) return false;
  return true;
}

/** A valid SD-NAME made from `name`; `_` for each bad code point, cut to 32, `_` if empty. */
export function repairSdName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (out.length === SD_NAME_MAX) break;
    out += ch.length === 1 && isSdNameChar(ch.charCodeAt(0)) ? ch : '_';
  }
  return out.length === 0 ? '_' : out;
}

/** PARAM-VALUE text for `s` (see the file comment for the policy). */
export const escapeParamValue = buildEscaper({ '"': '\\"', '\\': '\\\\', ']': '\\]' });

/** Bounded memo of field key → PARAM-NAME, so a key is checked once, not once per record. */
const NAME_CACHE_LIMIT = 4096;

/**
 * Builds the renderer of the SD-ELEMENT for `sdId` (already validated by the config, repaired
 * here if not). Returns `-` (NILVALUE) for a record without fields.
 */
export function buildSdRenderer(sdId: string, report: Report): (rec: CanonicalRecord) => string {
  let id = sdId;
  if (!isValidSdName(sdId)) {
    id = repairSdName(sdId);
    report(CONFIG_ORIGIN, { code: 'sd-name-sanitized', field: 'sdId', message: `SD-ID ${preview(sdId)} is not a valid SD-NAME; using "${id}"` });
  }
  const open = `[${id}`;
  const names = new Map<string, string>();
  const nameFor = (key: string, origin: string): string => {
    let name = names.get(key);
    if (name === undefined) {
      name = isValidSdName(key) ? key : repairSdName(key);
      if (names.size >= NAME_CACHE_LIMIT) names.clear();
      names.set(key, name);
    }
    if (name !== key) {
      report(origin, { code: 'sd-name-sanitized', field: key, message: `PARAM-NAME ${preview(key)} is not a valid SD-NAME; written as "${name}"` });
    }
    return name;
  };
  return (rec) => {
    const fields = rec.fields;
    if (fields.length === 0) return '-';
    let out = open;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      out += ` ${nameFor(f.key, rec.origin)}="${escapeParamValue(f.value)}"`;
    }
    return `${out}]`;
  };
}
