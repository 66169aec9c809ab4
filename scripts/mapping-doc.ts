/**
 * Renders the generated sections of README.md and docs/mapping.md from the catalog, the
 * normalizer's own profile tables and the flag table, so the documentation cannot drift
 * from what the code does. Each section sits between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->`; the prose around them is written by hand. Run
 * `npm run docs` after changing the catalog or a flag; test/normalize/mapping-doc.test.ts
 * fails when a file is stale.
 */
import { DICTIONARY, MESSAGE_TYPES, SEGURA_KEYS, SUID_CODES, SYSLOG_EVENTS } from '../plugin/catalog/catalog.js';
import { severityFromPriority } from '../plugin/normalize/header.js';
import { catalogTables } from '../plugin/normalize/normalize.js';
import { mappingRows } from '../plugin/normalize/profiles.js';
import { ENV_VARS, flagsForMode } from '../plugin/config/flags.js';
import type { Mode } from '../plugin/config/schema.js';

/** File → (section name → markdown body). */
export function renderDocs(): Record<string, Record<string, string>> {
  return {
    'docs/mapping.md': {
      links: renderLinks(),
      suid: renderSuid(),
      severity: renderSeverity(),
      'segura-keys': renderSeguraKeys(),
      events: renderEvents(),
      dictionary: renderDictionary(),
    },
    'README.md': {
      types: renderTypes(),
      'flags-stdio': renderFlags('stdio'),
      'flags-follow': renderFlags('follow', 'stdio'),
      'flags-serve': renderFlags('serve', 'stdio'),
      env: renderEnv(),
    },
  };
}

/** The flags of `mode`, leaving out those already listed for `after`'s table. */
function renderFlags(mode: Mode, after?: Mode): string {
  const shown = new Set(after === undefined ? [] : flagsForMode(after).map((f) => f.name));
  const rows = flagsForMode(mode)
    .filter((f) => !shown.has(f.name))
    .map((f) => {
      const arg = f.type === 'bool' ? '' : f.type === 'enum' ? ` ${f.values!.join('|')}` : f.type === 'int' ? ' N' : f.type === 'list' ? ' A,B' : ' VALUE';
      return [`\`--${f.name}${arg}\``, f.help + (f.multiple ? '; repeatable' : ''), f.defaultText ?? '', f.path === '-' ? '' : code(f.path)];
    });
  return table(['flag', 'what it does', 'default', 'config file path'], rows);
}

function renderEnv(): string {
  return table(['variable', 'what it holds', 'config path'], ENV_VARS.map((v) => [code(v.name), v.help, code(v.path)]));
}

/** Replaces every generated section of `markdown`; throws when a section marker is missing. */
export function applySections(markdown: string, sections: Record<string, string>): string {
  let out = markdown;
  for (const [name, body] of Object.entries(sections)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`missing ${open} … ${close}`);
    out = `${out.slice(0, start + open.length)}\n${body.trimEnd()}\n${out.slice(end)}`;
  }
  return out;
}

function cell(s: string | undefined): string {
  return (s ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function code(s: string): string {
  return `\`${s}\``;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function renderLinks(): string {
  const rows = SYSLOG_EVENTS.filter((e) => e.messageType !== undefined).map((e) => [
    code(e.id),
    e.name,
    code(e.messageType!),
    e.link ?? '',
  ]);
  return table(['event id', 'event name', 'message type', 'why'], rows);
}

function renderSuid(): string {
  return table(
    ['SUID', 'Segura says', 'message types'],
    SUID_CODES.map((s) => [code(s.suid), s.events, s.messageTypes.map(code).join(', ')]),
  );
}

function renderSeverity(): string {
  const names = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
  return table(
    ['syslog severity', 'CEF severity'],
    names.map((n, i) => [`${n} (${i})`, severityFromPriority(i)]),
  );
}

function renderSeguraKeys(): string {
  const { table: keys, targets } = catalogTables();
  const rows = SEGURA_KEYS.filter((s) => s.labelOf === undefined).map((s) => {
    const t = targets.strict[keys.byKey.get(s.key)!.id]!;
    const strict = t.labelKey !== undefined ? `${code(t.labelKey)}${t.fixedLabel === undefined ? '' : `=${t.fixedLabel}`} + ${code(t.key)}` : code(t.key);
    return [code(s.key), s.meaning, code(s.key), strict, String(s.maxLength)];
  });
  return table(['Segura key', 'meaning', 'segura profile', 'strict profile', 'max length (segura)'], rows);
}

function renderTypes(): string {
  const { table: keys, plans, targets } = catalogTables();
  const parts: string[] = [];
  for (const type of MESSAGE_TYPES) {
    const plan = plans.get(type.slug)!;
    const rows = mappingRows(keys, plan, targets);
    const meaning = new Map(type.keys.map((k) => [k.key, k.meaning]));
    const links = type.eventIds.length === 0 ? 'none (send `type`)' : type.eventIds.map(code).join(', ');
    parts.push(`### ${type.title} — \`${type.slug}\``);
    parts.push('');
    parts.push(`Documented as "${type.docTitle}". Event ids: ${links}.${type.suids.length > 0 ? ` SUID: ${type.suids.map(code).join(', ')}.` : ''}`);
    const notes = [
      ...(type.notes ?? []),
      ...type.keys.filter((k) => k.added !== undefined).map((k) => `${code(k.key)} is listed although the table has no row for it: ${k.added}.`),
    ];
    if (notes.length > 0) parts.push('', ...notes.map((n) => `- ${n}`));
    parts.push('');
    parts.push(
      table(
        ['documented', 'meaning', 'segura profile writes', 'strict profile writes'],
        rows.map((r) => [code(r.documented), meaning.get(r.canonical) ?? '', r.segura.map(code).join(' '), r.strict.map(code).join(' ')]),
      ),
    );
    parts.push('');
  }
  return parts.join('\n');
}

function renderEvents(): string {
  return table(
    ['id', 'origin', 'priority', 'syslog severity', 'derived CEF severity', 'name', 'message type'],
    SYSLOG_EVENTS.map((e) => [
      code(e.id),
      e.origin,
      e.priority,
      String(e.syslogSeverity),
      severityFromPriority(e.syslogSeverity),
      e.name,
      e.messageType === undefined ? '' : code(e.messageType),
    ]),
  );
}

function renderDictionary(): string {
  return table(
    ['key', 'full name (accepted as input)', 'type', 'max length', 'role', 'strict profile'],
    DICTIONARY.map((e) => [
      code(e.key),
      e.fullName,
      e.type,
      e.maxLength === undefined ? '—' : String(e.maxLength),
      e.since === undefined ? e.role : `${e.role} (CEF ${e.since})`,
      e.role === 'consumer' ? 'moved to `MT4Segura…` (consumer-only)' : e.type === 'string' ? 'kept, cut to max length' : 'kept when the value has the type, else moved',
    ]),
  );
}
