/**
 * The escaping rule of a Sensage column value (this project's layout, docs/formats.md):
 * `\` → `\\`, TAB → `\t`, LF → `\n`, CR → `\r`. After escaping, a value holds no TAB, CR or
 * LF, so TAB separates columns and LF ends the record without ambiguity, and every backslash
 * in a line starts one of exactly four two-character escapes (the rule of PostgreSQL's COPY
 * text format). Characters with no escape that readers treat as breaks (the other C0
 * controls, DEL, U+0085, U+2028, U+2029) become a space; a lone UTF-16 surrogate becomes
 * U+FFFD. Everything else, including non-ASCII and leading/trailing spaces, is kept exactly.
 */
import { buildEscaper } from '../text-escape.js';

/** One column value, escaped. */
export const escapeSensageValue = buildEscaper({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' });
