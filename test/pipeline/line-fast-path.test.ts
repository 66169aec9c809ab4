/**
 * The line fast path (Processor.processLineInto: a record of a known shape formatted straight
 * from its input bytes) must be invisible: for the same input, a pipeline that offers every
 * line to it first (as `stdio --format cef` does) writes the same bytes and reports the same
 * diagnostics and errors, record by record, as a pipeline that decodes and parses every line.
 * And it only ever declines silently: a declined line leaves the output buffer as it was and
 * reports nothing; a taken line reports nothing. Corpus: the golden and sample records, the
 * bench generator's records, and generated records with hostile values, odd spellings (escapes,
 * whitespace, number forms), repeated and integer-like names, envelopes, nested values and
 * names whose hashes collide. Also checked: the fast path does engage (most of the bench
 * records, once their shapes are known), so this test cannot pass by it never running.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../plugin/config/schema.js';
import type { SegError } from '../../plugin/core/errors.js';
import { fnvHash } from '../../plugin/core/hash.js';
import { createMemoryLogger } from '../../plugin/core/log.js';
import { noMetrics } from '../../plugin/core/metrics.js';
import { LineBuffer } from '../../plugin/formats/line-buffer.js';
import { LineSplitter, RAW_LINE } from '../../plugin/inputs/line-splitter.js';
import { buildPipeline, type Pipeline } from '../../plugin/pipeline/build.js';
import { recordOfLine } from '../../plugin/pipeline/processor.js';
import { ROOT } from '../helpers/cli.js';
import { RecordingSink } from '../helpers/recording-sink.js';

interface Variant {
  readonly name: string;
  readonly normalize: Partial<Config['normalize']>;
}
const VARIANTS: readonly Variant[] = [
  { name: 'segura', normalize: { profile: 'segura' } },
  { name: 'strict', normalize: { profile: 'strict' } },
  { name: 'segura, --drop-unknown, aliases', normalize: { profile: 'segura', dropUnknown: true, aliases: { usuario: 'suser', porta: 'dpt' } } },
];

/** One input line's effect: the bytes written (latin1, so byte-exact) and what was logged. */
interface LineResult {
  readonly line: number;
  readonly out: string;
  readonly reports: readonly string[];
}

interface Run {
  readonly results: LineResult[];
  /** Line numbers the fast path took. */
  readonly taken: Set<number>;
}

/** A pipeline as the CLI builds it for `stdio` (bare CEF, no --max-bytes), logging into memory. */
function pipelineFor(variant: Variant): { pipeline: Pipeline; entries: Array<Record<string, unknown>> } {
  const base = defaultConfig();
  const config: Config = { ...base, normalize: { ...base.normalize, ...variant.normalize } };
  const logger = createMemoryLogger();
  const pipeline = buildPipeline(config, { logger, metrics: noMetrics, sink: new RecordingSink() });
  return { pipeline, entries: logger.entries };
}

/** A log entry as comparable text: everything the CLI would print but the time. */
const reportText = (e: Record<string, unknown>): string => JSON.stringify(e);

/**
 * Runs `input` through a fresh pipeline the way run-stdio's byte batcher does: `fast` offers
 * each raw line to processLineInto first; otherwise (and for every line it declines) the line
 * is decoded, parsed and given to processInto, failures reported with their line number.
 */
function run(input: Buffer, variant: Variant, fast: boolean): Run {
  const { pipeline, entries } = pipelineFor(variant);
  const processor = pipeline.processor;
  const processInto = processor.processInto;
  const processLineInto = processor.processLineInto;
  if (processInto === undefined || processLineInto === undefined) throw new Error('the stdio pipeline offers no byte or line fast path');
  const out = new LineBuffer();
  const splitter = new LineSplitter(pipeline.config.input.maxLineBytes);
  const results: LineResult[] = [];
  const taken = new Set<number>();

  const ordinary = (n: number, got: string | SegError): void => {
    const raw = recordOfLine(got, `line ${n}`);
    const failure = 'data' in raw ? processInto.call(processor, raw, out) : raw;
    if (failure !== undefined) pipeline.reportFailure('stdio', failure, { line: n });
  };

  const record = (n: number, pos: number, logged: number): void => {
    results.push({ line: n, out: out.buf.toString('latin1', pos, out.pos), reports: entries.slice(logged).map(reportText) });
  };

  const drain = (): void => {
    if (!fast) {
      for (let got = splitter.nextLine(); got !== undefined; got = splitter.nextLine()) {
        const pos = out.pos;
        const logged = entries.length;
        ordinary(splitter.linesSeen, got);
        record(splitter.linesSeen, pos, logged);
      }
      return;
    }
    for (let got = splitter.nextLineRaw(); got !== undefined; got = splitter.nextLineRaw()) {
      const n = splitter.linesSeen;
      const pos = out.pos;
      const logged = entries.length;
      if (got !== RAW_LINE) {
        ordinary(n, got);
      } else if (processLineInto.call(processor, splitter.rawChunk, splitter.rawStart, splitter.rawEnd, out)) {
        // Taken: one line written, nothing reported.
        expect(entries.length, `line ${n}: the fast path reported something`).toBe(logged);
        expect(out.pos).toBeGreaterThan(pos);
        taken.add(n);
      } else {
        // Declined: nothing written, nothing reported; then the ordinary path.
        expect(out.pos, `line ${n}: a declined line left bytes behind`).toBe(pos);
        expect(entries.length, `line ${n}: a declined line reported something`).toBe(logged);
        const text = splitter.rawText();
        if (text === undefined) continue; // blank
        ordinary(n, text);
      }
      record(n, pos, logged);
    }
  };

  splitter.feed(input);
  drain();
  splitter.feedEnd();
  drain();
  return { results, taken };
}

/** Runs both ways and compares them record by record; the fast run, for engagement checks. */
function expectSameBothWays(input: Buffer, variant: Variant): Run {
  const staged = run(input, variant, false);
  const fast = run(input, variant, true);
  const lines = input.toString('utf8').split('\n');
  const count = Math.max(staged.results.length, fast.results.length);
  for (let i = 0; i < count; i++) {
    const want = staged.results[i];
    const got = fast.results[i];
    if (want === undefined || got === undefined || want.line !== got.line || want.out !== got.out || want.reports.join('\n') !== got.reports.join('\n')) {
      const n = (want ?? got)!.line;
      const how = got !== undefined && fast.taken.has(got.line) ? 'taken by the fast path' : 'declined';
      // The whole story of the first difference: the input line, both outputs, both reports.
      expect({ line: n, how, input: lines[n - 1], out: got?.out, reports: got?.reports }).toEqual({
        line: n,
        how,
        input: lines[n - 1],
        out: want?.out,
        reports: want?.reports,
      });
    }
  }
  return fast;
}

const ndjson = (records: readonly unknown[]): Buffer => Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));

// ---------------------------------------------------------------------------------------------
// Corpora from files.

let bench = Buffer.alloc(0);
beforeAll(() => {
  // The bench generator's records (deterministic: seeded), written where the test run keeps its files.
  const file = join(mkdtempSync(join(tmpdir(), 'fast-path-')), 'events.ndjson');
  execFileSync(process.execPath, [join(ROOT, 'bench/gen-events.mjs'), file, '5000'], { stdio: 'ignore' });
  bench = readFileSync(file);
});

const golden = readFileSync(join(ROOT, 'test/golden/fixtures/input.ndjson'));
const sample = readFileSync(join(ROOT, 'config-examples/sample-events.ndjson'));
/**
 * Each file twice (a record's second pass meets a known shape), with blank and CRLF lines
 * between, and a golden record again with a byte order mark and with CRLF.
 */
const firstGolden = golden.subarray(0, golden.indexOf(0x0a));
const fixtures = Buffer.concat([
  golden, Buffer.from('\n  \r\n'), sample, golden, Buffer.from('\r\n'), sample,
  Buffer.from('\ufeff'), firstGolden, Buffer.from('\r\n'), firstGolden, Buffer.from('\r\n'),
]);

describe('line fast path: same bytes, same reports as the ordinary path', () => {
  for (const variant of VARIANTS) {
    describe(variant.name, () => {
      it('golden and sample records (each twice)', () => {
        const fast = expectSameBothWays(fixtures, variant);
        // Their second pass repeats known shapes: some of it must take the fast path.
        expect(fast.taken.size).toBeGreaterThan(10);
      });

      it('bench generator records; the fast path takes most of them once warm', () => {
        const fast = expectSameBothWays(bench, variant);
        const warm = 500;
        const total = bench.toString('latin1').split('\n').filter((l) => l !== '').length;
        let takenWarm = 0;
        for (const n of fast.taken) if (n > warm) takenWarm++;
        expect(takenWarm / (total - warm)).toBeGreaterThan(0.8);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Generated records: catalog shapes with hostile values and odd spellings.

/** Shapes as shippers send them (see test/normalize/layout-cache.test.ts), plus odd names. */
const SHAPES: ReadonlyArray<readonly string[]> = [
  ['event_id', 'type', 'msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'dpt', 'duser', 'timestamp', 'product_version', 'host'],
  ['type', 'msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'duser', 'cs1', 'cs2', 'cs3', 'cs4', 'cs5', 'cs6', 'timestamp'],
  ['event_id', 'msg', 'requestMethod', 'act', 'sourceServiceName', 'originIP', 'latitude', 'partsNeeded', 'dvc', 'src', 'dproc', 'timestamp'],
  ['type', 'dvc', 'spid', 'src', 'sname', 'msg', 'cs1', 'cs7Label', 'cs7', 'cs8', 'user-name', 'host'],
  ['event_id', 'msg', 'dport', 'dhost', 'cs1Label', 'cs1', 'severity', 'priority', 'extra.field', 'timestamp'],
  ['date', 'event_id', 'msg', 'usuario', 'porta', 'name', 'pid', 'timestamp'],
  // Siblings after `msg` whose names share an FNV-1a hash (costarring/liquid, altarage/zinke).
  ['event_id', 'msg', 'zzz', 'timestamp'],
  ['event_id', 'msg', 'costarring', 'timestamp'],
  ['event_id', 'msg', 'liquid', 'timestamp'],
  ['event_id', 'msg', 'altarage', 'timestamp'],
  ['event_id', 'msg', 'zinke', 'timestamp'],
  // A lone surrogate in a name (JSON.stringify escapes it) and U+FFFD (its UTF-8 stand-in) raw.
  ['event_id', 'msg', 'a\ud800', 'timestamp'],
  ['event_id', 'msg', 'a\ufffd', 'timestamp'],
  // Envelope names, a case-folded key, an integer-like name where JSON.parse puts it (first; the
  // `integer-name` extra below appends one that JSON.parse moves), names of Object.prototype.
  ['event_id', 'log', 'msg', 'timestamp'],
  ['event_id', 'msg', 'message', 'timestamp'],
  ['event_id', 'Msg', 'suser', 'timestamp'],
  ['1', 'event_id', 'msg', 'timestamp'],
  ['event_id', '__proto__', 'msg', 'constructor', 'timestamp'],
  // Two names for one header (reported by the ordinary path, so never taken) and other header spellings.
  ['event_id', 'msg', 'time', 'timestamp', 'hostname', 'host'],
  ['eventId', 'msg', '@timestamp', 'hostname', 'procid', 'productVersion'],
];
/** One of `common` six times in seven, else one of `rare`. */
const usually = <T>(common: readonly T[], rare: readonly T[]): fc.Arbitrary<T> =>
  rare.length === 0 ? fc.constantFrom(...common) : fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });

/** Per shape with a `type`: the usual type, then rarer ones (`nope` is unknown: a diagnostic). */
const TYPE_OF: Record<number, readonly string[]> = { 0: ['session-started', 'password-request'], 1: ['password-request', 'approved-request', 'nope'], 3: ['report-schedule-updated', 'report-schedule-created'] };
/**
 * The usual event id of each shape: one per header (CEF's header cache keeps one header per
 * event id, so shapes with other version or name headers get their own); then rarer ones.
 */
const COMMON_EVENT_ID = ['16', '1', '102', '2', '13', '8'];
const eventIdFor = (shape: number): fc.Arbitrary<unknown> => usually<unknown>([COMMON_EVENT_ID[shape] ?? '17'], ['16', '102', '336.501', '9999', 16, 13]);

const hostile = fc.constantFrom<unknown>(
  '', '   ', 'trailing ', 'nbsp\u00a0', 'tab\t', '2001:db8::1', '::1', '10.0.0.256', '70000', 'x'.repeat(1100), 'é'.repeat(600), 'loud',
  '2026-01-19T10:41:00', 'yesterday', null, true, false, 1.5, -0, 1e21, 123456789012345678, 'a=b\\c|d', 'l1\nl2\r\n', 'nel\u0085 ls\u2028',
  'lone \ud800 half', 'é李\u{1F600}', '{"event_id":"16","msg":"inner"}', { nested: 1 }, [1, 2], '20', 20, 'x suser=admin', '\u0000ctl',
  // Around the caps (1023 UTF-16 units for most keys, 4000 for extras), in 2-, 3- and 4-byte characters.
  'é'.repeat(1023), 'é'.repeat(1024), '李'.repeat(1024), '\u{1F600}'.repeat(511) + 'x', '\u{1F600}'.repeat(512), 'y'.repeat(4001),
);
const clean: Record<string, fc.Arbitrary<unknown>> = {
  timestamp: fc.constantFrom('2026-01-19T10:41:00-03:00', '2026-01-19T10:41:00.25Z', 1768819260123, '2026-01-19T10:41:00.123456+05:30', 1768819260.5, '1768819260123'),
  time: fc.constantFrom('2026-01-19T10:41:00Z'),
  '@timestamp': fc.constantFrom('2026-01-19T10:41:00.5+01:00', 1768819260),
  dst: fc.constantFrom('10.0.0.1', '192.168.10.156'),
  dvc: fc.constantFrom('10.0.0.2', '172.16.10.20'),
  src: fc.constantFrom('10.0.0.3', '127.0.0.1'),
  dpt: fc.integer({ min: 1, max: 65535 }),
  dport: fc.integer({ min: 1, max: 65535 }),
  porta: fc.integer({ min: 1, max: 65535 }),
  spid: fc.integer({ min: 1, max: 99999 }),
  pid: fc.integer({ min: 1, max: 99999 }),
  suid: fc.oneof(fc.integer({ min: 1, max: 999 }), fc.constantFrom('15', '164')),
  partsNeeded: fc.integer({ min: 1, max: 9 }),
  latitude: fc.constantFrom('-23.6261', '48.85', -23.6),
  originIP: fc.constantFrom('200.160.148.162'),
  // Header values mostly repeat (the CEF header cache keeps one header per event id).
  severity: usually(['3'], ['High', '10', 7]),
  priority: usually(['alert'], ['notice', '5', 2]),
  host: usually(['segura-01'], ['vault.example.com']),
  product_version: usually(['3.27.0-4'], ['3.28']),
  name: usually(['Custom name'], ['Ação']),
  cs1Label: usually(['GMUD'], ['Change ticket']),
  cs7Label: fc.constantFrom('Added users'),
  date: fc.constantFrom(1768819260.5),
};
const cleanText = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '0', ' ', '-', ':', '.', 'é', '李', '\u{1F600}', '/'), minLength: 1, maxLength: 12 }).filter((v) => v.trim() === v);
const valueFor = (key: string): fc.Arbitrary<unknown> => (Object.hasOwn(clean, key) ? clean[key]! : cleanText);

/** JSON text for a value, usually JSON.stringify's, sometimes spelled otherwise (same value, or -0/1.0 forms). */
function spell(value: unknown, how: number): string {
  const json = JSON.stringify(value) ?? 'null';
  switch (how) {
    case 1: // every non-ASCII unit and the letters a-d as \u escapes
      return typeof value === 'string' ? `"${[...value].map(uEscaped).join('')}"` : json;
    case 2: // a slash escape
      return typeof value === 'string' ? json.replace(/\//g, '\\/') : json;
    case 3: // an integer as a float or with an exponent
      return typeof value === 'number' && Number.isInteger(value) ? `${value}.0` : json;
    case 4:
      return typeof value === 'number' && Number.isInteger(value) && value !== 0 ? `${value}e0` : json;
    default:
      return json;
  }
}

/** One character as JSON string content: \u escapes for non-ASCII and a-d, JSON.stringify's otherwise. */
function uEscaped(c: string): string {
  if (!/^[\x20-\x7e]$/.test(c) || /[a-d]/.test(c)) {
    return Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
  }
  return JSON.stringify(c).slice(1, -1);
}

/** A name as JSON text: JSON.stringify's, or with its first letter escaped (the scanner then declines). */
const spellName = (name: string, escaped: boolean): string =>
  escaped && name.length > 0 ? `"\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(name).slice(2)}` : JSON.stringify(name);

/** `arb` once in `every` times, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** The first six shapes are the common ones; the others (odd names) come less often. */
const shapeIndex = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 2, arbitrary: fc.integer({ min: 6, max: SHAPES.length - 1 }) });

/**
 * One record line: mostly clean values, so shapes repeat and the fast path has work; now and
 * then one hostile value, an odd spelling, an escaped name or an extra member.
 */
const generatedLine = shapeIndex
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      values: fc.tuple(...SHAPES[shape]!.map(valueFor)),
      hostileAt: sometimes(fc.tuple(fc.nat(15), hostile), 3),
      spellings: fc.array(fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 }),
      eventId: eventIdFor(shape),
      type: usually((TYPE_OF[shape] ?? ['session-started']).slice(0, 1), (TYPE_OF[shape] ?? []).slice(1)),
      escapedName: sometimes(fc.nat(20), 8),
      space: fc.constantFrom('', '', '', ' ', '\t', '\r'),
      extra: usually(['none'], ['duplicate', 'integer-name', 'header-twice']),
    }),
  )
  .map(({ shape, values, hostileAt, spellings, eventId, type, escapedName, space, extra }) => {
    const names = SHAPES[shape]!;
    const members = names.map((name, i) => {
      const given = name === 'event_id' || name === 'eventId' ? eventId : name === 'type' ? type : values[i];
      const value = hostileAt !== null && hostileAt[0] === i ? hostileAt[1] : given;
      return `${spellName(name, escapedName === i)}${space}:${spell(value, spellings[i % spellings.length]!)}`;
    });
    if (extra === 'duplicate') members.push(`${JSON.stringify(names[1])}:"again"`);
    if (extra === 'integer-name') members.push('"7":"moved first by JSON.parse"');
    if (extra === 'header-twice') members.push('"product_version":"9.9"');
    return `${space}{${space}${members.join(`,${space}`)}}${space}`;
  });

describe('line fast path: generated records', () => {
  for (const variant of VARIANTS) {
    it(`same bytes and reports for hostile records and odd spellings (${variant.name}, property)`, () => {
      let taken = 0;
      let total = 0;
      fc.assert(
        fc.property(fc.array(generatedLine, { minLength: 60, maxLength: 160 }), (lines) => {
          taken += expectSameBothWays(Buffer.from(lines.join('\n') + '\n'), variant).taken.size;
          total += lines.length;
        }),
        { numRuns: 12 },
      );
      // Not vacuous: a good part of the lines took the fast path (about a quarter when measured).
      expect(taken / total).toBeGreaterThan(0.08);
    });
  }

  it('finds a sibling whose name shares another sibling\'s hash, and takes it', () => {
    expect(fnvHash(Buffer.from('costarring'))).toBe(fnvHash(Buffer.from('liquid')));
    const records = ['zzz', 'costarring', 'liquid', 'costarring', 'liquid', 'zzz'].flatMap((name, i) => [
      { event_id: '16', msg: `m${i}`, [name]: `v${i}`, timestamp: '2026-01-19T10:41:00Z' },
      { event_id: '16', msg: `n${i}`, [name]: `w${i}`, timestamp: '2026-01-19T10:41:01Z' },
    ]);
    for (const variant of VARIANTS.slice(0, 2)) {
      const fast = expectSameBothWays(ndjson(records), variant);
      // The second round of each shape is taken (lines 7-12), the liquid ones included.
      for (const n of [7, 8, 9, 10, 11, 12]) expect(fast.taken.has(n), `line ${n}`).toBe(true);
    }
  });

  it('takes a record of 128 members and declines one of 129, with the same output either way', () => {
    const wide = (n: number, i: number) => ({ event_id: '16', msg: `wide ${i}`, ...Object.fromEntries(Array.from({ length: n - 2 }, (_, k) => [`k${k}`, `v${k}`])) });
    const records = [wide(128, 1), wide(129, 2), wide(128, 3), wide(129, 4)];
    for (const variant of VARIANTS) {
      const fast = expectSameBothWays(ndjson(records), variant);
      expect([...fast.taken]).toEqual(variant.normalize.dropUnknown === true ? [] : [3]);
    }
  });

  it('keeps a raw U+FFFD name apart from an escaped lone surrogate (same UTF-8 bytes once encoded)', () => {
    const records = [
      '{"event_id":"16","msg":"a","a\\ud800":"x","timestamp":"2026-01-19T10:41:00Z"}',
      '{"event_id":"16","msg":"b","a\ufffd":"y","timestamp":"2026-01-19T10:41:00Z"}',
      '{"event_id":"16","msg":"c","a\ufffd":"z","timestamp":"2026-01-19T10:41:00Z"}',
      '{"event_id":"16","msg":"d","a\\ud800":"w","timestamp":"2026-01-19T10:41:00Z"}',
    ];
    for (const variant of VARIANTS) expectSameBothWays(Buffer.from(records.join('\n') + '\n'), variant);
  });
});
