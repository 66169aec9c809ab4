/**
 * The escaping rule of a Sensage column value (this project's layout, docs/formats.md):
 * `\` → `\\`, TAB → `\t`, LF → `\n`, CR → `\r`. After escaping, a value holds no TAB, CR or
 * LF, so TAB separates columns and LF ends the record without ambiguity, and every backslash
 * in a line starts one of exactly four two-character escapes (the rule of PostgreSQL's COPY
 * text format). Characters with no escape that readers treat as breaks (the other C0
 * controls, DEL, U+0085, U+2028, U+2029) become a space; a lone UTF-16 surrogate becomes
 * U+FFFD. Everything else, including non-ASCII and leading/trailing spaces, is kept exactly.
 */

const BACKSLASH = 0x5c;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isBreakingControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029;
}

function isPairAt(s: string, i: number): boolean {
  const hi = s.charCodeAt(i);
  if (hi < 0xd800 || hi > 0xdbff || i + 1 >= s.length) return false;
  const lo = s.charCodeAt(i + 1);
  return lo >= 0xdc00 && lo <= 0xdfff;
}

function firstWork(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x7f) {
      if (code < 0x20 || code === BACKSLASH) return i;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      if (!isPairAt(s, i)) return i;
      i++;
    } else if (isBreakingControl(code)) {
      return i;
    }
  }
  return -1;
}

/** One column value, escaped. */
export function escapeSensageValue(s: string): string {
  const first = firstWork(s);
  if (first < 0) return s;
  let out = s.slice(0, first);
  let start = first;
  for (let i = first; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let rep: string;
    if (code === BACKSLASH) rep = '\\\\';
    else if (code === TAB) rep = '\\t';
    else if (code === LF) rep = '\\n';
    else if (code === CR) rep = '\\r';
    else if (code >= 0xd800 && code <= 0xdfff) {
      if (isPairAt(s, i)) {
        i++;
        continue;
      }
      rep = '\ufffd';
    } else if (isBreakingControl(code)) rep = ' ';
    else continue;
    out += s.slice(start, i) + rep;
    start = i + 1;
  }
  return out + s.slice(start);
}
