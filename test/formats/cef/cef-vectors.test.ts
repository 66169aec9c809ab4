/**
 * The conformance vectors of cef.md §5 (test/fixtures/cef-vectors.jsonl), asserted on the
 * escapers and on the whole renderer. Vectors about input normalisation (full key names,
 * numeric severities, timestamps, IPv6 remapping) belong to normalize; here they only
 * check what reaches the encoder: key validity and the header's severity guard.
 */
import { describe, expect, it } from 'vitest';
import {
  escapeExtensionValue,
  escapeHeaderField,
  isValidCefKey,
  sanitizeExtensionValue,
} from '../../../plugin/formats/cef/cef-escape.js';
import { buildCefRender } from '../../../plugin/formats/cef/cef.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { formatOptions, loadVectors, pairs, record, recorder, type Vector } from './support.js';

const vectors = loadVectors();
const byKind = (kind: string): Vector[] => [...vectors.values()].filter((v) => v.kind === kind);
const lenient = (v: Vector): string =>
  typeof v.expected === 'string' ? v.expected : (v.expected as { lenient: string }).lenient;

/** Vectors this suite does not assert, with the part of the system that owns them. */
const DELEGATED: Readonly<Record<string, string>> = {
  K01: 'normalize (full name → short key)',
  K02: 'normalize',
  K03: 'normalize',
  K04: 'normalize',
  K05: 'normalize',
  K06: 'normalize',
  K15: 'normalize (profile key spelling)',
  K16: 'normalize (profile: cs7)',
  K17: 'normalize (profile: dport)',
  K18: 'normalize (consumer-only key)',
  K19: 'normalize (duplicate after mapping)',
  S07: 'normalize (number 1.0 → "1")',
  S12: 'normalize (lenient spelling of Very-High)',
  T01: 'normalize (timestamp → rt epoch ms)',
  T02: 'normalize',
  T03: 'normalize (optional date format)',
  L08: 'normalize (IPv6 src → c6a2 under CEF:0)',
};

describe('conformance vectors file', () => {
  it('holds all 103 vectors of cef.md §5 with unique ids', () => {
    expect(vectors.size).toBe(103);
  });

  it('every vector is either asserted here or delegated by name', () => {
    const asserted = /^(H|E|C|L0[1-7]$|K0[7-9]$|K1[0-4]$|S)/;
    for (const id of vectors.keys()) {
      const covered = asserted.test(id) && !(id in DELEGATED);
      expect(covered || id in DELEGATED, id).toBe(true);
    }
  });
});

describe('header escaping vectors (H*, C06)', () => {
  for (const v of [...byKind('header')]) {
    it(`${v.id}: ${JSON.stringify(v.input)}`, () => {
      expect(escapeHeaderField(v.input as string)).toBe(lenient(v));
    });
  }
});

describe('extension value vectors (E*, C01-C05)', () => {
  for (const v of byKind('ext-value').filter((x) => x.id !== 'C08')) {
    it(`${v.id}: escape ${JSON.stringify(v.input)}`, () => {
      expect(escapeExtensionValue(v.input as string)).toBe(lenient(v));
    });

    it(`${v.id}: rendered inside a line, decodes back to the repaired value`, () => {
      const render = buildCefRender(formatOptions(), recorder().listener);
      const fields = pairs([['msg', v.input as string], ['suser', 'jsilva']]);
      const line = render(record({ fields }));
      expect(line.endsWith(`|msg=${lenient(v)} suser=jsilva`)).toBe(true);
      const decoded = decodeCef(line).extensions;
      expect(decoded.map(([k]) => k)).toEqual(['msg', 'suser']);
      expect(decoded[0]![1]).toBe(unescapeForCheck(lenient(v)));
    });
  }

  it('C07: trailing spaces of a final value are dropped before escaping', () => {
    const v = vectors.get('C07')!;
    expect(sanitizeExtensionValue(v.input as string)).toBe(v.expected);
    const render = buildCefRender(formatOptions(), recorder().listener);
    const line = render(record({ fields: pairs([['suser', 'a'], ['msg', v.input as string]]) }));
    expect(line.endsWith(`|suser=a msg=${v.expected as string}`)).toBe(true);
  });

  it('C08: an empty value is omitted', () => {
    const render = buildCefRender(formatOptions(), recorder().listener);
    const line = render(record({ fields: pairs([['suser', 'a'], ['msg', vectors.get('C08')!.input as string]]) }));
    expect(line.endsWith('|9|suser=a')).toBe(true);
  });
});

/** Minimal inverse of the four extension escapes, for comparing with vector text. */
function unescapeForCheck(escaped: string): string {
  return escaped.replace(/\\([\\=nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

describe('full line vectors (L01-L03)', () => {
  interface LineInput {
    header: { vendor: string; product: string; deviceVersion: string; eventClassId: string; name: string; severity: number };
    extensions: Array<[string, string]>;
  }
  for (const id of ['L01', 'L02', 'L03']) {
    it(id, () => {
      const v = vectors.get(id)!;
      const { header, extensions } = v.input as LineInput;
      const diags = recorder();
      const render = buildCefRender(formatOptions({ vendor: header.vendor, product: header.product }), diags.listener);
      const line = render(
        record({
          productVersion: header.deviceVersion,
          eventId: header.eventClassId,
          name: header.name,
          severity: String(header.severity),
          fields: pairs(extensions),
        }),
      );
      expect(line).toBe(v.expected);
      // L03's header has line breaks: the repair is reported, never silent.
      expect(diags.list.length > 0).toBe(id === 'L03');
    });
  }
});

describe('key vectors that reach the encoder (K07-K14)', () => {
  for (const id of ['K07', 'K08', 'K09', 'K10', 'K11', 'K12', 'K13', 'K14']) {
    const v = vectors.get(id)!;
    const valid = typeof v.expected === 'string';
    it(`${id}: ${JSON.stringify(v.input)} is ${valid ? 'valid' : 'rejected'}`, () => {
      expect(isValidCefKey(v.input as string)).toBe(valid);
      const diags = recorder();
      const line = buildCefRender(formatOptions(), diags.listener)(
        record({ fields: pairs([[v.input as string, 'x'], ['suser', 'a']]) }),
      );
      const keys = decodeCef(line).extensions.map(([k]) => k);
      expect(keys).toEqual(valid ? [v.input, 'suser'] : ['suser']);
      expect(diags.list.map((d) => d.diagnostic.code)).toEqual(valid ? [] : ['key-invalid']);
    });
  }
});

describe('severity vectors: the header guard (S*)', () => {
  const render = (severity: string, listener = recorder().listener): string =>
    buildCefRender(formatOptions(), listener)(record({ severity }));
  for (const v of byKind('severity')) {
    if (v.id in DELEGATED) continue;
    if (typeof v.expected === 'string') {
      it(`${v.id}: ${v.expected} is written as given`, () => {
        expect(decodeCef(render(v.expected as string)).severity).toBe(v.expected);
      });
    } else {
      it(`${v.id}: ${JSON.stringify(v.input)} never reaches the header`, () => {
        const diags = recorder();
        expect(decodeCef(render(String(v.input), diags.listener)).severity).toBe('Unknown');
        expect(diags.list.map((d) => d.diagnostic.code)).toEqual(['severity-invalid']);
      });
    }
  }
});
