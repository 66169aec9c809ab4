/**
 * Small, strict readers for the shipper config formats that have no npm parser we may use:
 * Fluent Bit's classic format (`[SECTION]` + indented `Key Value`, `@INCLUDE`, `@SET`), and
 * Fluentd's directive format (`<source>`, `<match pattern>`, nested `<parse>`, `key value`).
 * They accept what the shippers accept for the constructs our examples use and throw, with
 * the line number, on anything they would reject: an unclosed or mismatched directive, an
 * entry outside a section, a section entry without indentation, a key without a value.
 * Also a POSIX-shell word splitter for the command lines found in those files.
 */

export class ConfigSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConfigSyntaxError';
  }
}

// ---------------------------------------------------------------- Fluent Bit classic

export interface ClassicSection {
  /** Upper-cased section name: SERVICE, INPUT, FILTER, OUTPUT, PARSER, ... */
  readonly name: string;
  readonly line: number;
  /** Keys lower-cased (Fluent Bit's keys are case-insensitive), in file order. */
  readonly entries: ReadonlyArray<{ key: string; value: string; line: number }>;
}

export interface ClassicConfig {
  readonly sections: readonly ClassicSection[];
  readonly includes: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
}

/** Section names Fluent Bit's classic format knows (src/config_format/flb_cf_fluentbit.c). */
export const CLASSIC_SECTIONS: readonly string[] = [
  'SERVICE', 'INPUT', 'FILTER', 'OUTPUT', 'PARSER', 'MULTILINE_PARSER', 'CUSTOM', 'PLUGINS', 'UPSTREAM', 'NODE', 'STREAM_TASK',
];

export function parseFluentBitClassic(text: string, file = 'fluent-bit.conf'): ClassicConfig {
  const sections: Array<{ name: string; line: number; entries: Array<{ key: string; value: string; line: number }> }> = [];
  const includes: string[] = [];
  const variables: Record<string, string> = {};
  let current: (typeof sections)[number] | undefined;
  let indent: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (/^@INCLUDE\s/i.test(trimmed)) {
      includes.push(trimmed.replace(/^@INCLUDE\s+/i, ''));
      return;
    }
    if (/^@SET\s/i.test(trimmed)) {
      const m = /^@SET\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/i.exec(trimmed);
      if (!m) throw new ConfigSyntaxError(file, lineNo, `malformed @SET: ${trimmed}`);
      variables[m[1]!] = m[2]!;
      return;
    }
    const header = /^\[([A-Za-z_]+)\]$/.exec(trimmed);
    if (header) {
      if (line !== trimmed) throw new ConfigSyntaxError(file, lineNo, 'a section header must start at column 1');
      const name = header[1]!.toUpperCase();
      if (!CLASSIC_SECTIONS.includes(name)) throw new ConfigSyntaxError(file, lineNo, `unknown section [${header[1]}]`);
      current = { name, line: lineNo, entries: [] };
      indent = undefined;
      sections.push(current);
      return;
    }
    if (current === undefined) throw new ConfigSyntaxError(file, lineNo, `entry outside any section: ${trimmed}`);
    const lead = /^[ \t]*/.exec(line)![0];
    if (lead === '') throw new ConfigSyntaxError(file, lineNo, `entry of [${current.name}] must be indented: ${trimmed}`);
    // Fluent Bit rejects a section whose entries mix indentation levels.
    if (indent === undefined) indent = lead;
    else if (lead !== indent) throw new ConfigSyntaxError(file, lineNo, `inconsistent indentation in [${current.name}]`);
    const m = /^(\S+)\s+(.*\S)\s*$/.exec(trimmed);
    if (!m) throw new ConfigSyntaxError(file, lineNo, `entry without a value: ${trimmed}`);
    current.entries.push({ key: m[1]!.toLowerCase(), value: m[2]!, line: lineNo });
  });
  return { sections, includes, variables };
}

/** Entries of a classic section as a map (the last occurrence of a key wins). */
export function sectionMap(section: ClassicSection): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of section.entries) out[e.key] = e.value;
  return out;
}

// ---------------------------------------------------------------- Fluentd

export interface FluentdDirective {
  /** `source`, `match`, `filter`, `label`, `system`, or a nested section (`parse`, `buffer`, ...). */
  readonly name: string;
  /** Text after the name inside `<...>`: the match pattern, the label name, buffer chunk keys. */
  readonly arg: string;
  readonly line: number;
  readonly params: ReadonlyArray<{ key: string; value: string; line: number }>;
  readonly children: readonly FluentdDirective[];
}

const FLUENTD_TOP = ['source', 'match', 'filter', 'label', 'system', 'worker'];

export function parseFluentdConfig(text: string, file = 'fluent.conf'): FluentdDirective[] {
  type Open = { name: string; arg: string; line: number; params: FluentdDirective['params'][number][]; children: FluentdDirective[] };
  const root: Open = { name: '', arg: '', line: 0, params: [], children: [] };
  const stack: Open[] = [root];
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = stripFluentdComment(raw).trim();
    if (trimmed === '') return;
    const close = /^<\/([A-Za-z_][\w-]*)\s*>$/.exec(trimmed);
    if (close) {
      const top = stack[stack.length - 1]!;
      if (stack.length === 1) throw new ConfigSyntaxError(file, lineNo, `</${close[1]}> closes nothing`);
      if (top.name !== close[1]) throw new ConfigSyntaxError(file, lineNo, `</${close[1]}> closes <${top.name}> opened on line ${top.line}`);
      stack.pop();
      stack[stack.length - 1]!.children.push(top);
      return;
    }
    const open = /^<([A-Za-z_][\w-]*)(?:\s+([^>]*?))?\s*>$/.exec(trimmed);
    if (open) {
      const name = open[1]!;
      if (stack.length === 1 && !FLUENTD_TOP.includes(name)) throw new ConfigSyntaxError(file, lineNo, `<${name}> is not a top-level directive`);
      if ((name === 'match' || name === 'filter') && !open[2]) throw new ConfigSyntaxError(file, lineNo, `<${name}> needs a tag pattern`);
      stack.push({ name, arg: open[2] ?? '', line: lineNo, params: [], children: [] });
      return;
    }
    if (trimmed.startsWith('<')) throw new ConfigSyntaxError(file, lineNo, `malformed directive: ${trimmed}`);
    if (stack.length === 1) {
      if (/^@include\s/.test(trimmed)) return;
      throw new ConfigSyntaxError(file, lineNo, `parameter outside any directive: ${trimmed}`);
    }
    const m = /^(@?[A-Za-z_][\w.-]*)(?:\s+(.*))?$/.exec(trimmed);
    if (!m) throw new ConfigSyntaxError(file, lineNo, `malformed parameter: ${trimmed}`);
    stack[stack.length - 1]!.params.push({ key: m[1]!, value: unquoteFluentd(m[2] ?? ''), line: lineNo });
  });
  if (stack.length > 1) {
    const top = stack[stack.length - 1]!;
    throw new ConfigSyntaxError(file, top.line, `<${top.name}> is never closed`);
  }
  return root.children;
}

/** A `#` starts a comment unless it is inside a quoted value or part of `#{...}` Ruby code. */
function stripFluentdComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && line[i + 1] !== '{') return line.slice(0, i);
  }
  return line;
}

function unquoteFluentd(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/** The value of a directive's parameter (the last one wins, as in Fluentd). */
export function param(d: FluentdDirective, key: string): string | undefined {
  let value: string | undefined;
  for (const p of d.params) if (p.key === key) value = p.value;
  return value;
}

/** Every directive, nested ones included, depth first. */
export function* walkFluentd(list: readonly FluentdDirective[]): Generator<FluentdDirective> {
  for (const d of list) {
    yield d;
    yield* walkFluentd(d.children);
  }
}

// ---------------------------------------------------------------- shell words

/** Shell operators that end a simple command or redirect it. */
const SHELL_OPERATORS = new Set(['|', '||', '&&', ';', '&', '<', '>', '>>', '2>', '2>>', '&>', '2>&1']);

/**
 * Splits a command line into words the way `sh -c` would for the subset config files use:
 * single and double quotes, backslash escapes, backslash-newline continuations; operators
 * (`|`, `&&`, `;`, redirections) come out as separate words.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      flush();
      i++;
      continue;
    }
    // A `#` at the start of a word starts a comment that runs to the end of the line.
    if (c === '#' && !inWord) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && '"\\$`'.includes(text[i + 1] ?? '')) i++;
        word += text[i];
        i++;
      }
      if (i >= text.length) throw new Error(`unterminated " in: ${text}`);
      inWord = true;
      i++;
      continue;
    }
    if (c === '\\') {
      word += text[i + 1] ?? '';
      inWord = true;
      i += 2;
      continue;
    }
    const op = /^(2>&1|2>>|2>|&>|>>|\|\||&&|[|;&<>])/.exec(text.slice(i));
    if (op && !(inWord && op[1] === '2>')) {
      flush();
      words.push(op[1]!);
      i += op[1]!.length;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  flush();
  return words;
}

export function isShellOperator(word: string): boolean {
  return SHELL_OPERATORS.has(word);
}
