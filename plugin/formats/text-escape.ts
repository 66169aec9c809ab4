/**
 * The escaping loop the RFC 5424 structured data and the Sensage columns share: each format
 * gives a table of the ASCII characters it escapes; a character that readers treat as a line
 * or field break and that has no escape in the table (the other C0 controls, DEL, U+0085,
 * U+2028, U+2029) becomes a space; a lone UTF-16 surrogate (not encodable in UTF-8) becomes
 * U+FFFD; everything else is kept exactly. One pass, so an escape written here is never
 * escaped again; a clean string is returned as it is, without allocating.
 */

export type Escaper = (s: string) => string;

/** Characters with no escape that some reader treats as a line or field break. */
export function isBreakingControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** True when a well-formed surrogate pair starts at `i`. */
export function isPairAt(s: string, i: number): boolean {
  const hi = s.charCodeAt(i);
  if (hi < 0xd800 || hi > 0xdbff || i + 1 >= s.length) return false;
  const lo = s.charCodeAt(i + 1);
  return lo >= 0xdc00 && lo <= 0xdfff;
}

/** `escapes`: single ASCII characters and what each is written as. */
export function buildEscaper(escapes: Readonly<Record<string, string>>): Escaper {
  const table: Array<string | undefined> = new Array<string | undefined>(0x80).fill(undefined);
  for (const [ch, rep] of Object.entries(escapes)) table[ch.charCodeAt(0)] = rep;

  const firstWork = (s: string): number => {
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      if (code < 0x80) {
        if (table[code] !== undefined || isBreakingControl(code)) return i;
      } else if (code >= 0xd800 && code <= 0xdfff) {
        if (!isPairAt(s, i)) return i;
        i++; // a well-formed pair: skip its low half
      } else if (isBreakingControl(code)) {
        return i;
      }
    }
    return -1;
  };

  return (s) => {
    const first = firstWork(s);
    if (first < 0) return s;
    let out = s.slice(0, first);
    let start = first;
    for (let i = first; i < s.length; i++) {
      const code = s.charCodeAt(i);
      let rep = code < 0x80 ? table[code] : undefined;
      if (rep === undefined) {
        if (code >= 0xd800 && code <= 0xdfff) {
          if (isPairAt(s, i)) {
            i++;
            continue;
          }
          rep = '\ufffd';
        } else if (isBreakingControl(code)) rep = ' ';
        else continue;
      }
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
    return out + s.slice(start);
  };
}
