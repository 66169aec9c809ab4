/**
 * Checks the test decoder itself before it is trusted as an oracle: the decode vectors
 * L04-L07 of cef.md §5, the spec's chapter 1 examples, Beats' fixture messages, and
 * the malformed lines a strict reader must refuse.
 */
import { describe, expect, it } from 'vitest';
import { CefDecodeError, decodeCef } from '../../helpers/cef-decoder.js';
import { loadVectors } from './support.js';

const vectors = loadVectors();

describe('decode vectors', () => {
  it('L04: spec example with syslog prefix, escaped header pipe, raw pipe in a value', () => {
    const v = vectors.get('L04')!;
    const d = decodeCef(v.input as string);
    const want = v.expected as Record<string, string>;
    expect(d.prefix).toBe('Sep 19 08:26:10 host ');
    expect(d.name).toBe(want.name);
    expect(Object.fromEntries(d.extensions)).toEqual({ src: want.src, act: want.act, dst: want.dst });
  });

  it('L05: every header and extension escape', () => {
    const v = vectors.get('L05')!;
    const d = decodeCef(v.input as string);
    const want = v.expected as Record<string, string>;
    expect(d.vendor).toBe(want.vendor);
    expect(d.product).toBe(want.product);
    expect(d.extensions).toEqual([
      ['spt', want.spt],
      ['msg', want.msg],
    ]);
  });

  it('L06: an escaped pipe in an extension value is an error', () => {
    expect(() => decodeCef(vectors.get('L06')!.input as string)).toThrow(/invalid extension escape/);
  });

  it('L07: an unescaped = inside a value is an error', () => {
    expect(() => decodeCef(vectors.get('L07')!.input as string)).toThrow(/unescaped = in extension value/);
  });
});

describe('spec chapter 1 examples', () => {
  it('reads the basic syslog example', () => {
    const d = decodeCef(
      'Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232',
    );
    expect([d.version, d.vendor, d.product, d.deviceVersion, d.eventClassId, d.name, d.severity]).toEqual([
      0, 'Security', 'threatmanager', '1.0', '100', 'worm successfully stopped', '10',
    ]);
    expect(d.extensions).toEqual([
      ['src', '10.0.0.1'],
      ['dst', '2.1.2.2'],
      ['spt', '1232'],
    ]);
  });

  it('reads escaped backslashes in header and extension', () => {
    const d = decodeCef('CEF:0|security|threatmanager|1.0|100|detected a \\\\ in packet|10|src=10.0.0.1 act=blocked a \\\\ dst=1.1.1.1');
    expect(d.name).toBe('detected a \\ in packet');
    expect(d.extensions[1]).toEqual(['act', 'blocked a \\']);
  });

  it('reads an escaped = in a value and a raw = in the header', () => {
    const d = decodeCef('CEF:0|security|threat=manager|1.0|100|detected a = in message|10|src=10.0.0.1 act=blocked a \\= dst=1.1.1.1');
    expect(d.product).toBe('threat=manager');
    expect(d.extensions[1]).toEqual(['act', 'blocked a =']);
  });

  it('keeps spaces inside values (file names)', () => {
    const d = decodeCef('CEF:0|a|b|1|2|n|3|filePath=/user/username/dir/my file name.txt fsize=100');
    expect(d.extensions).toEqual([
      ['filePath', '/user/username/dir/my file name.txt'],
      ['fsize', '100'],
    ]);
  });

  it('treats all but the last space before a key as trailing spaces of the prior value', () => {
    const d = decodeCef('CEF:0|a|b|1|2|n|3|msg=padded    src=10.0.0.192   ');
    expect(d.extensions).toEqual([
      ['msg', 'padded   '],
      ['src', '10.0.0.192'],
    ]);
  });

  it('reads a header-only line and leading spaces before the first pair', () => {
    expect(decodeCef('CEF:0|a|b|1|2|n|3|').extensions).toEqual([]);
    expect(decodeCef('CEF:0|a|b|1|2|n|3| src=1.2.3.4').extensions).toEqual([['src', '1.2.3.4']]);
  });

  it('reads empty values and non-standard key characters as Beats does', () => {
    const d = decodeCef('CEF:0|||1.0|100|n|10|dst= ad.field[0]=x spt=');
    expect(d.vendor).toBe('');
    expect(d.extensions).toEqual([
      ['dst', ''],
      ['ad.field[0]', 'x'],
      ['spt', ''],
    ]);
  });

  it('does not read "\\\\n" as a newline (literal backslash then n)', () => {
    expect(decodeCef('CEF:0|a|b|1|2|n|3|msg=\\\\n literal').extensions).toEqual([['msg', '\\n literal']]);
  });
});

describe('refuses malformed lines', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['no marker', 'hello', /no CEF: marker/],
    ['missing version digits', 'CEF:|a|b|1|2|n|3|', /version/],
    ['six header pipes only', 'CEF:0|a|b|1|2|n|3', /seven fields/],
    ['unknown header escape', 'CEF:0|a\\=b|b|1|2|n|3|', /invalid header escape/],
    ['lone backslash ending a header field', 'CEF:0|a|b\\|1|2|n|3|', /seven fields|invalid header escape/],
    ['severity with a space', 'CEF:0|a|b|1|2|n|very high|', /severity/],
    ['raw LF', 'CEF:0|a|b|1|2|n|3|msg=a\nb', /line break/],
    ['raw CR', 'CEF:0|a|b|1|2|n|3|msg=a\rb', /line break/],
    ['TAB is not a pair separator', 'CEF:0|a|b|1|2|n|3|msg=a\tsrc=1.1.1.1', /unescaped =/],
    ['key with a dash', 'CEF:0|a|b|1|2|n|3|a-b=1', /expected = after extension key/],
    ['garbage instead of a key', 'CEF:0|a|b|1|2|n|3|=1', /expected an extension key/],
    ['unknown value escape', 'CEF:0|a|b|1|2|n|3|msg=a\\tb', /invalid extension escape/],
    ['lone trailing backslash', 'CEF:0|a|b|1|2|n|3|msg=a\\', /invalid extension escape/],
    ['key glued to a value', 'CEF:0|a|b|1|2|n|3|msg=a\\nkey=v', /unescaped =/],
    ['double equals', 'CEF:0|a|b|1|2|n|3|a=b=c', /unescaped =/],
  ];
  for (const [what, line, message] of bad) {
    it(what, () => {
      let error: unknown;
      try {
        decodeCef(line);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CefDecodeError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
