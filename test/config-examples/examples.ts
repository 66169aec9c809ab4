/**
 * Finds every example file under config-examples/ (whoever wrote it), parses it with the
 * parser its format needs, and pulls out every `segura-siem` command line it contains:
 * container `command`/`args`, Fluent Bit and Vector `exec` commands, Fluentd `command`, and
 * command lines quoted in comments and in README code blocks. The tests then check each
 * command against the flag table, so a renamed flag breaks a test, not a user.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseAllDocuments, type Document } from 'yaml';
import { MODES, type Mode } from '../../plugin/config/schema.js';
import { isShellOperator, parseFluentBitClassic, parseFluentdConfig, shellWords, walkFluentd, param } from './config-parsers.js';

export const ROOT = resolve(__dirname, '../..');
export const EXAMPLES = join(ROOT, 'config-examples');

export type ExampleKind = 'yaml' | 'fluent-bit-classic' | 'fluentd' | 'toml' | 'markdown' | 'ndjson' | 'other';

export interface ExampleFile {
  /** Path relative to the repository root, with `/`. */
  readonly path: string;
  readonly abs: string;
  readonly kind: ExampleKind;
  readonly text: string;
}

/** Every file under config-examples/, sorted. */
export function exampleFiles(): ExampleFile[] {
  const out: ExampleFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else out.push({ path: relative(ROOT, abs).split('\\').join('/'), abs, kind: kindOf(abs), text: readFileSync(abs, 'utf8') });
    }
  };
  if (existsSync(EXAMPLES)) walk(EXAMPLES);
  return out;
}

export function kindOf(abs: string): ExampleKind {
  const ext = extname(abs).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.toml') return 'toml';
  if (ext === '.md') return 'markdown';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.conf') {
    // Fluentd's directives start with `<`, Fluent Bit's sections with `[`.
    const first = readFileSync(abs, 'utf8').split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
    if (abs.split(/[\\/]/).includes('fluentd') || first?.startsWith('<')) return 'fluentd';
    return 'fluent-bit-classic';
  }
  return 'other';
}

/** Parses a YAML file (all documents); throws on the first error with the file name. */
export function yamlDocuments(file: ExampleFile): unknown[] {
  const docs: Document[] = parseAllDocuments(file.text, { prettyErrors: true, uniqueKeys: true }) as Document[];
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file.path}: ${doc.errors[0]!.message}`);
    out.push(doc.toJS());
  }
  return out;
}

/** A segura-siem invocation found in an example. */
export interface FoundCommand {
  /** Where it was found: `path` + a short description. */
  readonly where: string;
  readonly file: ExampleFile;
  /** Arguments after the program name; argv[0] is the mode. */
  readonly argv: string[];
}

const PROGRAM = /(^|\/)segura-siem(\.js)?$/;

/**
 * Cuts the segura-siem words out of a shell word list: from the word after the program
 * name to the first shell operator; `< file`-style redirections are dropped with their target.
 */
export function argvAfterProgram(words: readonly string[]): string[] | undefined {
  const at = words.findIndex((w) => PROGRAM.test(w));
  if (at < 0) return undefined;
  const out: string[] = [];
  for (let i = at + 1; i < words.length; i++) {
    if (isShellOperator(words[i]!)) break;
    out.push(words[i]!);
  }
  return out;
}

/** Every segura-siem command line in every example file. */
export function foundCommands(files: readonly ExampleFile[] = exampleFiles()): FoundCommand[] {
  const out: FoundCommand[] = [];
  for (const file of files) {
    const add = (where: string, argv: string[] | undefined) => {
      if (argv !== undefined) out.push({ where: `${file.path} (${where})`, file, argv });
    };
    if (file.kind === 'yaml') {
      yamlDocuments(file).forEach((doc, i) => walkYamlCommands(doc, `document ${i + 1}`, add));
    } else if (file.kind === 'fluent-bit-classic') {
      for (const s of parseFluentBitClassic(file.text, file.path).sections) {
        for (const e of s.entries) if (e.key === 'command') add(`line ${e.line}`, argvAfterProgram(shellWords(e.value)));
      }
    } else if (file.kind === 'fluentd') {
      for (const d of walkFluentd(parseFluentdConfig(file.text, file.path))) {
        const command = param(d, 'command');
        if (command !== undefined) add(`<${d.name}> line ${d.line}`, argvAfterProgram(shellWords(command)));
      }
    }
    if (file.kind === 'markdown') for (const c of markdownCommands(file.text)) add(`line ${c.line}`, c.argv);
    else if (file.kind !== 'ndjson') for (const c of commentCommands(file.text)) add(`comment line ${c.line}`, c.argv);
  }
  return out;
}

type Add = (where: string, argv: string[] | undefined) => void;

/** YAML: `command`/`args` of containers and exec sources, and Fluent Bit YAML `command:` strings. */
function walkYamlCommands(node: unknown, path: string, add: Add): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkYamlCommands(n, `${path}[${i}]`, add));
    return;
  }
  if (node === null || typeof node !== 'object') {
    // Strings holding whole documents (a ConfigMap's embedded configs) are walked too.
    return;
  }
  const obj = node as Record<string, unknown>;
  const image = typeof obj['image'] === 'string' ? (obj['image'] as string) : undefined;
  if (image !== undefined && /segura-siem/.test(image)) {
    // A container of our image: its ENTRYPOINT is ["segura-siem"], so `command` (if set)
    // replaces the program and `args` are the arguments.
    const command = Array.isArray(obj['command']) ? (obj['command'] as string[]) : ['segura-siem'];
    const args = Array.isArray(obj['args']) ? (obj['args'] as string[]) : [];
    add(`${path} container ${String(obj['name'])}`, argvAfterProgram([...command, ...args]));
  } else {
    const command = obj['command'];
    if (typeof command === 'string') add(`${path}.command`, argvAfterProgram(shellWords(command)));
    else if (Array.isArray(command) && command.every((w) => typeof w === 'string')) {
      // An argv array (Vector exec); `sh -c "<line>"` hides a shell line in its last word.
      const words = command as string[];
      const shell = words.length >= 3 && /(^|\/)(ba)?sh$/.test(words[0]!) && words[1] === '-c';
      add(`${path}.command`, argvAfterProgram(shell ? shellWords(words[2]!) : words));
    }
  }
  for (const [k, v] of Object.entries(obj)) walkYamlCommands(v, `${path}.${k}`, add);
}

/** Command lines quoted in `#` comments: `#   segura-siem serve --grpc ...`. */
function commentCommands(text: string): Array<{ line: number; argv: string[] }> {
  const out: Array<{ line: number; argv: string[] }> = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*#+\s*(?:\$\s+)?((?:\S*\/)?segura-siem(?:\.js)?\s+(?:stdio|follow|serve)(?=\s|$).*)$/.exec(raw);
    if (m) out.push({ line: i + 1, argv: argvAfterProgram(shellWords(m[1]!))! });
  });
  return out;
}

/** Command lines in fenced code blocks of a Markdown file, `\` continuations joined. */
export function markdownCommands(text: string): Array<{ line: number; argv: string[] }> {
  const out: Array<{ line: number; argv: string[] }> = [];
  const lines = text.split('\n');
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) continue;
    let cmd = raw.replace(/^\s*(?:\$\s+)?/, '');
    const start = i;
    while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = cmd.slice(0, -1) + ' ' + lines[++i]!.trim();
    if (!/(?:^|\s)(?:\S*\/)?segura-siem(?:\.js)?\s+(?:stdio|follow|serve)(?=\s|$)/.test(cmd)) continue;
    out.push({ line: start + 1, argv: argvAfterProgram(shellWords(cmd))! });
  }
  return out;
}

export function isMode(word: string | undefined): word is Mode {
  return (MODES as readonly string[]).includes(word ?? '');
}

/** Top-level keys of segura-siem's configuration file (the Config tree). */
export const CONFIG_KEYS: readonly string[] = ['format', 'normalize', 'input', 'sinks', 'follow', 'serve', 'errors', 'logLevel'];

/** True when a parsed YAML document looks like a segura-siem configuration file. */
export function isSeguraConfig(doc: unknown): doc is Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const keys = Object.keys(doc);
  return keys.length > 0 && keys.every((k) => CONFIG_KEYS.includes(k));
}

/**
 * Where a `--config PATH` of an example points when PATH only exists on the target host:
 * a ConfigMap key of the same name in the example's folder, else a file of that name in the
 * same folder, else at the top of config-examples/. Returns the YAML text, or undefined.
 */
export function resolveConfigText(pathInExample: string, from: ExampleFile, files: readonly ExampleFile[]): string | undefined {
  const local = resolve(ROOT, pathInExample);
  if (existsSync(local)) return readFileSync(local, 'utf8');
  const name = basename(pathInExample);
  const folder = dirname(from.path);
  for (const f of files) {
    if (dirname(f.path) !== folder || f.kind !== 'yaml') continue;
    for (const doc of yamlDocuments(f)) {
      const d = doc as { kind?: string; data?: Record<string, string> } | null;
      if (d?.kind === 'ConfigMap' && typeof d.data?.[name] === 'string') return d.data[name];
    }
  }
  const sibling = files.find((f) => f.path === `${folder}/${name}`);
  if (sibling) return sibling.text;
  return files.find((f) => f.path === `config-examples/${name}`)?.text;
}
