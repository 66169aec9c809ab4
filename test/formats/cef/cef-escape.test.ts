/**
 * Unit tests of the pure escapers and policy helpers beyond the conformance vectors:
 * fast paths return the very same string, surrogate pairs survive, every control and
 * Unicode line break is repaired, and trailing-whitespace policy stops at escaped breaks.
 */
import { describe, expect, it } from 'vitest';
import {
  CEF_SEVERITIES,
  escapeExtensionValue,
  escapeHeaderField,
  headerFieldIsLossy,
  isValidCefKey,
  sanitizeExtensionValue,
  truncateCodePoints,
} from '../../../plugin/formats/cef/cef-escape.js';

const EMOJI = '\u{1F600}'; // one code point, two UTF-16 units

describe('escapeHeaderField', () => {
  it('returns clean input unchanged, including non-ASCII, = and paired surrogates', () => {
    for (const s of ['', 'Update Incident', 'árvíztűrő = ok', `smile ${EMOJI}`, '336.501']) {
      expect(escapeHeaderField(s)).toBe(s);
    }
  });

  it('turns each line break into one space: LF, CR, CRLF; LFCR is two breaks', () => {
    expect(escapeHeaderField('a\nb\rc\r\nd\n\re')).toBe('a b c d  e');
    expect(escapeHeaderField('\r\n')).toBe(' ');
    expect(escapeHeaderField('x\r')).toBe('x ');
  });

  it('turns every other control, DEL, NEL, LS and PS into a space', () => {
    const controls = [...Array(0x20).keys()].filter((c) => c !== 0x0a && c !== 0x0d).map((c) => String.fromCharCode(c));
    for (const c of [...controls, '\x7f', '\x85', '\u2028', '\u2029']) {
      expect(escapeHeaderField(`a${c}b`)).toBe('a b');
    }
  });

  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(escapeHeaderField('a\ud800b')).toBe('a\ufffdb');
    expect(escapeHeaderField('a\udc00')).toBe('a\ufffd');
    expect(escapeHeaderField('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(escapeHeaderField(`\ud800${EMOJI}|`)).toBe(`\ufffd${EMOJI}\\|`);
  });

  it('escapes backslash before pipe in one pass (no double escaping)', () => {
    expect(escapeHeaderField('\\|')).toBe('\\\\\\|');
    expect(escapeHeaderField('a\\')).toBe('a\\\\');
  });
});

describe('escapeExtensionValue', () => {
  it('returns clean input unchanged, including pipes, spaces and paired surrogates', () => {
    for (const s of ['', 'blocked a |', ' lead', 'trail ', `x ${EMOJI} y`, 'ああ']) {
      expect(escapeExtensionValue(s)).toBe(s);
    }
  });

  it('escapes \\ = LF CR and nothing else ASCII-visible', () => {
    expect(escapeExtensionValue('\\=\n\r|#%')).toBe('\\\\\\=\\n\\r|#%');
  });

  it('turns TAB, NUL, other controls, DEL, NEL, LS and PS into a space', () => {
    const controls = [...Array(0x20).keys()].filter((c) => c !== 0x0a && c !== 0x0d).map((c) => String.fromCharCode(c));
    for (const c of [...controls, '\x7f', '\x85', '\u2028', '\u2029']) {
      expect(escapeExtensionValue(`a${c}b`)).toBe('a b');
    }
  });

  it('replaces lone surrogates, keeps pairs', () => {
    expect(escapeExtensionValue(`\udbff=${EMOJI}\udfff`)).toBe(`\ufffd\\=${EMOJI}\ufffd`);
  });

  it('never produces \\| or an unknown escape', () => {
    const out = escapeExtensionValue('\\|\\t\\u0000');
    expect(out).toBe('\\\\|\\\\t\\\\u0000');
  });
});

describe('sanitizeExtensionValue', () => {
  it('drops trailing spaces, tabs, controls, NBSP and other Zs spaces', () => {
    expect(sanitizeExtensionValue('x \t\x00\x7f\u00a0\u3000\u2028\u0085')).toBe('x');
  });

  it('keeps leading and interior whitespace and stops at an escaped line break', () => {
    expect(sanitizeExtensionValue('  a  b')).toBe('  a  b');
    expect(sanitizeExtensionValue('a \n ')).toBe('a \n');
    expect(sanitizeExtensionValue('a\r')).toBe('a\r');
  });

  it('returns the same string when nothing trails, "" for whitespace only', () => {
    const s = 'no trailing';
    expect(sanitizeExtensionValue(s)).toBe(s);
    expect(sanitizeExtensionValue(' \t ')).toBe('');
  });
});

describe('isValidCefKey', () => {
  it('accepts dictionary and custom alphanumeric keys', () => {
    for (const k of ['msg', 'cs1Label', 'c6a1', 'deviceCustomDate1', 'sname', 'originIP', 'X']) {
      expect(isValidCefKey(k)).toBe(true);
    }
  });

  it('refuses empty, digit-first, and any punctuation, space or non-ASCII', () => {
    for (const k of ['', '1cs', '_x', 'a_b', 'a.b', 'a[0]', 'a b', 'a=', 'é', 'msg\n']) {
      expect(isValidCefKey(k)).toBe(false);
    }
  });
});

describe('truncateCodePoints', () => {
  it('cuts by code points and never splits a pair', () => {
    expect(truncateCodePoints(`${EMOJI}${EMOJI}${EMOJI}`, 2)).toBe(`${EMOJI}${EMOJI}`);
    expect(truncateCodePoints(`ab${EMOJI}`, 3)).toBe(`ab${EMOJI}`);
    expect(truncateCodePoints(`abc${EMOJI}`, 3)).toBe('abc');
    expect(truncateCodePoints('\ud800\ud800x', 2)).toBe('\ud800\ud800');
  });

  it('returns the input when it fits', () => {
    const s = 'x'.repeat(31);
    expect(truncateCodePoints(s, 31)).toBe(s);
    expect(truncateCodePoints(`${EMOJI}`.repeat(20), 31)).toBe(`${EMOJI}`.repeat(20));
  });
});

describe('headerFieldIsLossy and CEF_SEVERITIES', () => {
  it('only flags replacements, not escapes', () => {
    expect(headerFieldIsLossy('a|b\\c=d')).toBe(false);
    expect(headerFieldIsLossy(`ok ${EMOJI}`)).toBe(false);
    expect(headerFieldIsLossy('a\nb')).toBe(true);
    expect(headerFieldIsLossy('a\ud800')).toBe(true);
  });

  it('lists exactly 0-10 and the five spec names', () => {
    expect([...CEF_SEVERITIES].sort()).toEqual(
      ['0', '1', '10', '2', '3', '4', '5', '6', '7', '8', '9', 'High', 'Low', 'Medium', 'Unknown', 'Very-High'].sort(),
    );
  });
});
