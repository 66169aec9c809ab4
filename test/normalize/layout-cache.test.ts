/**
 * The normalizer caches the field layout of a record shape (input keys in order, message
 * type) and replays it for later records of the same shape. Differential property: a
 * long-running normalizer, whose cache is warm, gives every record exactly the output,
 * diagnostics and errors of a brand-new normalizer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../plugin/core/record.js';
import { harness } from './support.js';

/** A few shapes, as shippers send them: the same keys in the same order, record after record. */
const SHAPES: ReadonlyArray<readonly string[]> = [
  ['event_id', 'msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'dpt', 'duser', 'timestamp'],
  ['type', 'msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'duser', 'cs1', 'cs2', 'cs3', 'cs4', 'cs5', 'cs6', 'timestamp'],
  ['event_id', 'msg', 'requestMethod', 'act', 'sourceServiceName', 'originIP', 'latitude', 'partsNeeded', 'dvc', 'src', 'dproc'],
  ['type', 'dvc', 'spid', 'src', 'sname', 'msg', 'cs1', 'cs7Label', 'cs7', 'cs8', 'user-name', 'host'],
  ['event_id', 'msg', 'dport', 'dhost', 'cs1Label', 'cs1', 'severity', 'priority', 'extra.field'],
];
const TYPE_OF: Record<number, string[]> = { 1: ['password-request', 'approved-request', 'nope'], 3: ['report-schedule-updated', 'report-schedule-created'] };
const EVENT_IDS = ['16', '13', '102', '8', '336.501', '9999'];

/** Mostly clean values (the cache only keeps layouts of records without repairs), now and then hostile ones. */
const hostile = fc.constantFrom('', '   ', '2001:db8::1', '10.0.0.256', '70000', 'x'.repeat(1100), 'loud', '2026-01-19T10:41:00', 'yesterday', null);
const clean: Record<string, fc.Arbitrary<unknown>> = {
  timestamp: fc.constantFrom('2026-01-19T10:41:00-03:00', '2026-01-19T10:41:00.25Z', 1768819260123),
  dst: fc.constantFrom('10.0.0.1', '192.168.10.156'),
  dvc: fc.constantFrom('10.0.0.2', '172.16.10.20'),
  src: fc.constantFrom('10.0.0.3', '127.0.0.1'),
  dpt: fc.integer({ min: 1, max: 65535 }),
  dport: fc.integer({ min: 1, max: 65535 }),
  spid: fc.integer({ min: 1, max: 99999 }),
  suid: fc.integer({ min: 1, max: 999 }),
  partsNeeded: fc.integer({ min: 1, max: 9 }),
  latitude: fc.constantFrom('-23.6261', '48.85'),
  originIP: fc.constantFrom('200.160.148.162'),
  severity: fc.constantFrom('3', 'High', '10'),
  priority: fc.constantFrom('alert', 'notice', '5'),
  host: fc.constantFrom('segura-01', 'vault.example.com'),
};
const valueFor = (key: string): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 9, arbitrary: clean[key] ?? fc.string({ minLength: 1, maxLength: 12 }).filter((v) => v.trim() === v && v.length > 0) }, { weight: 1, arbitrary: hostile });

const record = fc
  .integer({ min: 0, max: SHAPES.length - 1 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.tuple(...SHAPES[shape]!.map(valueFor)),
      fc.constantFrom(...EVENT_IDS),
      fc.constantFrom(...(TYPE_OF[shape] ?? ['x'])),
    ),
  )
  .map(([shape, values, eventId, type]) => {
    const data: Record<string, unknown> = {};
    SHAPES[shape]!.forEach((key, i) => {
      data[key] = key === 'event_id' ? eventId : key === 'type' ? type : values[i];
    });
    return data;
  });

type Outcome = { ok: true; rec: CanonicalRecord } | { ok: false; message: string };

function run(h: ReturnType<typeof harness>, data: Record<string, unknown>): { out: Outcome; diags: string[] } {
  let out: Outcome;
  try {
    out = { ok: true, rec: h.run(data) };
  } catch (e) {
    out = { ok: false, message: (e as Error).message };
  }
  const diags = h.diags.map((d) => `${d.code}:${d.field ?? ''}:${d.message}`);
  h.diags.length = 0;
  return { out, diags };
}

describe('normalizer layout cache', () => {
  for (const profile of ['segura', 'strict'] as const) {
    for (const dropUnknown of [false, true]) {
      it(`a warm normalizer equals a fresh one for every record (${profile}${dropUnknown ? ', --drop-unknown' : ''})`, () => {
        fc.assert(
          fc.property(fc.array(record, { minLength: 1, maxLength: 60 }), (records) => {
            const warm = harness({ profile, dropUnknown });
            for (const data of records) {
              const got = run(warm, data);
              const want = run(harness({ profile, dropUnknown }), data);
              expect(got).toEqual(want);
            }
          }),
          { numRuns: 60 },
        );
      });
    }
  }
});
