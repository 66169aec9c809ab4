/**
 * The renderer's own decisions: header placeholders and defaults, header truncation and
 * sanitisation with diagnostics, the severity guard, dropping invalid keys and pairs whose
 * value is only whitespace (with their label), separators, and determinism.
 */
import { describe, expect, it } from 'vitest';
import { buildCefRender } from '../../../plugin/formats/cef/cef.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { formatOptions, pairs, record, recorder } from './support.js';

const EMOJI = '\u{1F600}';

describe('header', () => {
  it('uses the configured vendor/product and keeps a dotted event id', () => {
    const render = buildCefRender(formatOptions({ vendor: 'V|x', product: 'P\\y' }), recorder().listener);
    const line = render(record({ eventId: '336.501', fields: pairs([['suser', 'a']]) }));
    expect(line).toBe('CEF:0|V\\|x|P\\\\y|3.27.0-4|336.501|Update Incident|9|suser=a');
  });

  it('falls back to the configured version, and to "unknown" for a missing id or name', () => {
    const render = buildCefRender(formatOptions({ defaultProductVersion: '3.30' }), recorder().listener);
    const d = decodeCef(render(record({ productVersion: undefined, eventId: undefined, name: undefined })));
    expect([d.deviceVersion, d.eventClassId, d.name]).toEqual(['3.30', 'unknown', 'unknown']);
    const e = decodeCef(render(record({ productVersion: '', eventId: '', name: '' })));
    expect([e.deviceVersion, e.eventClassId, e.name]).toEqual(['3.30', 'unknown', 'unknown']);
  });

  it('truncates over-long record header fields at a code point boundary, with a diagnostic each', () => {
    const diags = recorder();
    const render = buildCefRender(formatOptions(), diags.listener);
    const line = render(
      record({
        origin: 'line 7',
        productVersion: 'v'.repeat(30) + EMOJI + 'tail',
        eventId: '9'.repeat(1024),
        name: EMOJI.repeat(600),
      }),
    );
    const d = decodeCef(line);
    expect(d.deviceVersion).toBe('v'.repeat(30) + EMOJI);
    expect(d.eventClassId).toBe('9'.repeat(1023));
    expect(d.name).toBe(EMOJI.repeat(512));
    expect(diags.list.map((r) => [r.origin, r.diagnostic.code, r.diagnostic.field])).toEqual([
      ['line 7', 'truncated', 'version'],
      ['line 7', 'truncated', 'eventClassId'],
      ['line 7', 'truncated', 'name'],
    ]);
  });

  it('truncates configured vendor/product/version once, at build time', () => {
    const diags = recorder();
    const render = buildCefRender(
      formatOptions({ vendor: 'a'.repeat(70), product: 'b'.repeat(64), defaultProductVersion: 'c'.repeat(40) }),
      diags.listener,
    );
    const d = decodeCef(render(record({ productVersion: undefined })));
    render(record({ productVersion: undefined }));
    expect([d.vendor, d.product, d.deviceVersion]).toEqual(['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(31)]);
    expect(diags.list.map((r) => [r.origin, r.diagnostic.field])).toEqual([
      ['config', 'vendor'],
      ['config', 'product'],
      ['config', 'version'],
    ]);
  });

  it('reports header fields whose line breaks were replaced, but not plain escapes', () => {
    const diags = recorder();
    const render = buildCefRender(formatOptions(), diags.listener);
    render(record({ name: 'a|b\\c' }));
    expect(diags.list).toEqual([]);
    const line = render(record({ name: 'two\nlines\u2028here' }));
    expect(decodeCef(line).name).toBe('two lines here');
    expect(diags.list.map((r) => [r.diagnostic.code, r.diagnostic.field])).toEqual([['header-sanitized', 'name']]);
  });

  it('writes a severity outside 0-10/names as Unknown and says so', () => {
    const diags = recorder();
    const render = buildCefRender(formatOptions(), diags.listener);
    for (const bad of ['11', '-1', ' 5', 'high', '05', '', '9|x']) {
      expect(decodeCef(render(record({ severity: bad }))).severity).toBe('Unknown');
    }
    expect(diags.list.length).toBe(7);
    expect(decodeCef(render(record({ severity: 'Very-High' }))).severity).toBe('Very-High');
  });
});

describe('extension', () => {
  const render = (fields: Array<[string, string]>, listener = recorder().listener): string =>
    buildCefRender(formatOptions(), listener)(record({ fields: pairs(fields) }));

  it('keeps field order, one space between pairs, no trailing space, and always the 7th pipe', () => {
    expect(render([])).toBe('CEF:0|MT4|Segura|3.27.0-4|336501|Update Incident|9|');
    expect(render([['b', '2'], ['a', '1'], ['cs1Label', 'GMUD'], ['cs1', 'x y']])).toBe(
      'CEF:0|MT4|Segura|3.27.0-4|336501|Update Incident|9|b=2 a=1 cs1Label=GMUD cs1=x y',
    );
  });

  it('drops a whitespace-only value together with its label, and reports it', () => {
    const diags = recorder();
    const line = render(
      [
        ['cs1Label', 'GMUD'],
        ['cs1', ' \t '],
        ['cs2Label', 'Validity Start'],
        ['cs2', '2026-01-19'],
        ['msg', ''],
      ],
      diags.listener,
    );
    expect(decodeCef(line).extensions).toEqual([
      ['cs2Label', 'Validity Start'],
      ['cs2', '2026-01-19'],
    ]);
    expect(diags.list.map((r) => [r.diagnostic.code, r.diagnostic.field])).toEqual([['value-empty', 'cs1']]);
  });

  it('skips an invalid key with a diagnostic and keeps the rest', () => {
    const diags = recorder();
    const line = render(
      [
        ['msg', 'hi'],
        ['bad key', 'v'],
        ['x=y', 'v'],
        ['suser', 'a'],
      ],
      diags.listener,
    );
    expect(line.endsWith('|msg=hi suser=a')).toBe(true);
    expect(diags.list.map((r) => r.diagnostic.field)).toEqual(['bad key', 'x=y']);
  });

  it('trims trailing whitespace of every value, not only the last', () => {
    expect(decodeCef(render([['msg', 'a  '], ['suser', 'b\t']])).extensions).toEqual([
      ['msg', 'a'],
      ['suser', 'b'],
    ]);
  });

  it('is deterministic: same record, same bytes, across renderers', () => {
    const fields: Array<[string, string]> = [['msg', 'x=1\n\\y|'], ['suser', `ü${EMOJI}`]];
    const a = render(fields);
    expect(render(fields)).toBe(a);
    expect(buildCefRender(formatOptions(), () => {})(record({ fields: pairs(fields) }))).toBe(a);
  });
});
