import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '../../plugin/catalog/catalog.js';
import { REPO_ROOT } from '../catalog/seed-doc.js';
import { harness } from './support.js';

const lines = readFileSync(join(REPO_ROOT, 'config-examples', 'sample-events.ndjson'), 'utf8').split('\n').filter((l) => l !== '');
const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('config-examples/sample-events.ndjson', () => {
  for (const profile of ['segura', 'strict'] as const) {
    it(`${profile}: every record normalises, and every message type appears`, () => {
      const h = harness({ profile });
      const types = new Set(records.map((data, i) => h.run(data, `line ${i + 1}`).messageType));
      for (const t of MESSAGE_TYPES) expect(types.has(t.slug), t.slug).toBe(true);
    });
  }

  it('has the hostile values and shipper shapes the brief asks for', () => {
    const text = lines.join('\n');
    for (const needle of ['=', '\\\\', '|', '\\n', '\\r\\n', '"log":', '"message":', '\\"exec\\"', '"date":', '"__internal__":', '336.501']) {
      expect(text, needle).toContain(needle);
    }
    expect(/[^\x00-\x7f]/.test(text)).toBe(true);
    expect(/[\u{1F300}-\u{1FAFF}]/u.test(text)).toBe(true);
  });

  it('never lets shipper keys leak: no date, __internal__, stream or source_type in the output', () => {
    const h = harness();
    for (const data of records) {
      const keys = h.run(data).fields.map((f) => f.key);
      for (const leak of ['date', '__internal__', 'internal', 'stream', 'sourceType', 'log', 'exec']) expect(keys).not.toContain(leak);
    }
  });
});
