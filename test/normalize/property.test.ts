import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SegError } from '../../plugin/core/errors.js';
import { harness } from './support.js';

const VALID_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** Names that exercise every route: headers, CEF keys, full names, label names, envelopes, junk. */
const interestingKey = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'event_id', 'type', 'timestamp', 'rt', 'priority', 'severity', 'name', 'host', 'msg', 'suser', 'sourceUserName', 'cs1', 'cs1Label', 'cs7',
    'Cs6', 'Cs7', 'dport', 'dposrt', 'Method', 'validityStart', 'gmud', 'date', '__internal__', 'log', 'message', 'exec', 'dst', 'src',
    'latitude', 'slat', 'flexString1', '_msg', 'user-name', 'user_name', '日本', '', 'MT4SeguraDst', 'x', 'x2',
  ),
);
const interestingValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('13', '336.501', 'password-request', '2001:db8::1', '10.0.0.1', '2026-01-19T10:41:00Z', '1768819260', '{"msg":"inner"}'),
);

function checkOutput(run: () => { fields: ReadonlyArray<{ key: string; value: string }> }, hasSeverity: boolean): void {
  let r;
  try {
    r = run();
  } catch (e) {
    // Only an invalid severity may reject a record.
    expect(e).toBeInstanceOf(SegError);
    expect((e as SegError).field).toBeDefined();
    expect(hasSeverity).toBe(true);
    return;
  }
  const keys = r.fields.map((f) => f.key);
  for (const k of keys) expect(k).toMatch(VALID_KEY);
  expect(new Set(keys).size).toBe(keys.length);
  for (const f of r.fields) expect(typeof f.value).toBe('string');
}

describe('any JSON object normalises', () => {
  for (const profile of ['segura', 'strict'] as const) {
    it(`${profile}: string values → valid, unique keys; only an invalid severity throws`, () => {
      const h = harness({ profile });
      fc.assert(
        fc.property(fc.dictionary(interestingKey, interestingValue, { maxKeys: 25 }), (data) => {
          checkOutput(() => h.run(data), 'severity' in data);
        }),
        { numRuns: 400 },
      );
    });

    it(`${profile}: arbitrary JSON values, including nested envelopes`, () => {
      const h = harness({ profile, dropUnknown: profile === 'strict' });
      const record = fc.dictionary(interestingKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 15 });
      const wrapped = fc.tuple(record, fc.constantFrom('log', 'exec', 'message')).map(([r, k]) => ({ [k]: JSON.stringify(r), stream: 'stdout' }));
      fc.assert(
        fc.property(fc.oneof(record, wrapped), (data) => {
          const inner = typeof data['log'] === 'string' || typeof data['exec'] === 'string' || typeof data['message'] === 'string';
          checkOutput(() => h.run(data as Record<string, unknown>), 'severity' in data || inner);
        }),
        { numRuns: 300 },
      );
    });
  }
});
