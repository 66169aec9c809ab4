/**
 * JsonLineScanner (the input side of the line fast path) must read what it accepts exactly as
 * JSON.parse reads it, and may only decline, never misread. Properties: every flat object of
 * string/number/boolean/null members, written with arbitrary escapes, number spellings and
 * JSON whitespace, is accepted and its members are JSON.parse's; for lines mutated byte by
 * byte (so mostly invalid JSON), whatever the scanner accepts is valid JSON whose members it
 * read right; a plain value's bytes are its field text; repeatedValue() is value(); keyHash
 * is FNV-1a of the name. Then tables of explicit declines and accepts, each checked against
 * JSON.parse itself so the table cannot be wrong about what is valid JSON.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnvHash } from '../../plugin/core/hash.js';
import { JsonLineScanner, MAX_SCANNED_MEMBERS } from '../../plugin/inputs/json-scan.js';

// ---------------------------------------------------------------------------------------------
// Writing JSON text with chosen spellings (escapes, number forms, whitespace).

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex4 = (unit: number, upper: boolean): string => {
  const h = unit.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};

/**
 * A JSON string literal for `s` (any UTF-16, lone surrogates included). Each unit is written
 * raw where JSON allows it, or escaped (short form, or \u and four hex digits in either
 * case), as `choices` says; characters JSON requires escaped (quote, backslash, controls,
 * lone surrogates, which UTF-8 cannot carry) always are.
 */
function jsonString(s: string, choices: readonly number[]): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    const choice = choices.length === 0 ? 1 : choices[i % choices.length]!;
    const raw = choice % 3 !== 0;
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      // A well-formed pair: raw (4 UTF-8 bytes) or as two \u escapes.
      out += raw ? s.slice(i, i + 2) : hex4(unit, choice % 4 === 1) + hex4(next, choice % 4 === 1);
      i++;
      continue;
    }
    const ch = s[i]!;
    const mustEscape = unit < 0x20 || ch === '"' || ch === '\\' || (unit >= 0xd800 && unit <= 0xdfff);
    if (raw && !mustEscape) {
      out += ch;
      continue;
    }
    const short = SHORT_ESCAPES[ch];
    out += short !== undefined && choice % 2 === 0 ? short : hex4(unit, choice % 4 === 1);
  }
  return out + '"';
}

/** Any UTF-16 unit sequence: printable text, controls, JSON's specials, astral chars, lone surrogates. */
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom('"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\0', '\x1f', '\x7f', '\u0085', '\u2028', '\u2029', '\ufeff', 'é', '李', '\u{1F600}') },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const anyText = fc.string({ unit: anyUnit, maxLength: 16 });
const escapeChoices = fc.array(fc.nat(11), { maxLength: 8 });

/** JSON number spellings: JSON.stringify of doubles, and the grammar's corners (exponents, -0, 1e400, 25 digits). */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.integer().map(String),
  fc.constantFrom('0', '-0', '-0.0', '1e400', '-1e400', '1E+2', '1e-7', '123456789012345', '1234567890123456', '-123456789012345', '9007199254740993'),
  fc
    .tuple(
      fc.boolean(),
      fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,24}$/)),
      fc.option(fc.stringMatching(/^[0-9]{1,8}$/)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,4}$/))),
    )
    .map(([minus, int, frac, exp]) => `${minus ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`),
);

const valueText = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(anyText, escapeChoices).map(([s, c]) => jsonString(s, c)) },
  { weight: 3, arbitrary: numberText },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '""') },
);

/** JSON's whitespace, as runs of 0-3 characters. */
const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n'), maxLength: 3 });

/** Names the scanner takes: written without escapes, so no quote, backslash, control or lone surrogate. */
const plainName = fc
  .string({ unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('_', '.', '-', ' ', 'é', '\u{1F600}', '\x7f')), maxLength: 10 })
  .filter((k) => !/["\\\u0000-\u001f]/.test(k));

/**
 * JSON.parse puts names that are array indices ("0", "17") first, in numeric order, and merges
 * a repeated name into the first one's position with the last value, while the scanner
 * reports members in text order: so the member-by-member property uses distinct names that
 * are not integer-like. The soundness property below covers those cases as JSON.parse
 * semantics (insert in text order), not as positions.
 */
const isIntegerLike = (k: string): boolean => /^(0|[1-9][0-9]*)$/.test(k);
const orderedName = plainName.filter((k) => !isIntegerLike(k) && k !== '__proto__');

/** One object line from names, value texts and whitespace runs (cycled). */
function objectLine(members: ReadonlyArray<readonly [string, string]>, ws: readonly string[]): string {
  let i = 0;
  const w = (): string => (ws.length === 0 ? '' : ws[i++ % ws.length]!);
  let out = w() + '{' + w();
  members.forEach(([name, value], n) => {
    if (n > 0) out += ',' + w();
    out += `"${name}"` + w() + ':' + w() + value + w();
  });
  return out + '}' + w();
}

/** The scanner reads `text` embedded between foreign bytes, so it must respect start and end. */
function scanEmbedded(scanner: JsonLineScanner, line: Buffer, before = '{"x":', after = '}x\n'): boolean {
  const chunk = Buffer.concat([Buffer.from(before), line, Buffer.from(after)]);
  return scanner.scan(chunk, before.length, before.length + line.length);
}

/** The text of value `i` as it appears in the line (a string's without its quotes). */
function rawValue(s: JsonLineScanner, i: number): string {
  return Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength).toString('utf8', s.valueStart[i]!, s.valueEnd[i]!);
}

/**
 * Everything the scanner says about the line it accepted agrees with JSON.parse of the same
 * text: the object JSON.parse builds is the one built by inserting the scanned members in
 * text order (so key order, repeated names and integer-like names behave alike); each member
 * is its own JSON value; plain values are their field text; the kind answers and hashes fit.
 */
function expectReadAsJsonParse(s: JsonLineScanner, text: string): void {
  const parsed = JSON.parse(text) as unknown;
  expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
  const object = parsed as Record<string, unknown>;
  // A prototype-less object: `__proto__` is then an ordinary name, as JSON.parse makes it.
  const rebuilt = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < s.count; i++) rebuilt[s.keyText(i)] = s.value(i);
  expect(Object.keys(rebuilt)).toEqual(Object.keys(object));
  for (const k of Object.keys(object)) expect(rebuilt[k]).toBe(object[k]);
  for (let i = 0; i < s.count; i++) {
    const value = s.value(i);
    const raw = rawValue(s, i);
    expect(value).toBe(JSON.parse(s.isString(i) ? `"${raw}"` : raw));
    expect(s.isString(i)).toBe(typeof value === 'string');
    expect(s.isEmpty(i)).toBe(value === null || value === '');
    if (s.isPlain(i)) expect(raw).toBe(String(value));
    expect(s.keyHash(i)).toBe(fnvHash(Buffer.from(s.keyText(i), 'utf8')));
  }
}

describe('JsonLineScanner: what it accepts it reads as JSON.parse does', () => {
  it('accepts every flat object of strings, numbers, booleans and null, member by member (property)', () => {
    const scanner = new JsonLineScanner();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(orderedName, valueText), { selector: ([k]) => k, maxLength: 12 }),
        fc.array(whitespace, { maxLength: 6 }),
        (members, ws) => {
          const text = objectLine(members, ws);
          const line = Buffer.from(text, 'utf8');
          expect(scanEmbedded(scanner, line)).toBe(true);
          const parsed = JSON.parse(text) as Record<string, unknown>;
          expect(scanner.count).toBe(members.length);
          members.forEach(([name], i) => {
            expect(scanner.keyText(i)).toBe(name);
            expect(scanner.keyIs(i, Buffer.from(name, 'utf8'))).toBe(true);
            expect(scanner.value(i)).toBe(parsed[name]);
          });
          expectReadAsJsonParse(scanner, text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never accepts invalid JSON nor reads a value differently, whatever the bytes (mutation property)', () => {
    // A byte alphabet rich in JSON's structure, so mutants stay close to valid lines.
    const mutationBytes = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...'{}[]":,\\ \t\r\n0123456789-+.eEtrufalsn/bx'.split('')).map((c) => Buffer.from(c)) },
      { weight: 1, arbitrary: fc.constantFrom('\x00', '\x1f', '\x7f', 'é', '\u2028', '\u{1F600}', '\\u00e9', '\\ud800', '\\u12').map((c) => Buffer.from(c)) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2 }).map((b) => Buffer.from(b)) },
    );
    const mutation = fc.record({ op: fc.constantFrom('insert', 'delete', 'replace'), at: fc.nat(), bytes: mutationBytes });
    const anyName = fc.oneof(plainName, fc.constantFrom('0', '1', '17', '4294967295', '__proto__', 'a'));
    const source = fc.tuple(fc.array(fc.tuple(anyName, valueText), { maxLength: 6 }), fc.array(whitespace, { maxLength: 4 }));
    const scanner = new JsonLineScanner();
    let acceptedMutants = 0;
    fc.assert(
      fc.property(source, fc.array(mutation, { minLength: 0, maxLength: 3 }), ([members, ws], mutations) => {
        const original = Buffer.from(objectLine(members, ws), 'utf8');
        let line = original;
        for (const { op, at, bytes } of mutations) {
          const p = line.length === 0 ? 0 : at % (line.length + (op === 'insert' ? 1 : 0));
          if (op === 'insert') line = Buffer.concat([line.subarray(0, p), bytes, line.subarray(p)]);
          else if (op === 'delete') line = Buffer.concat([line.subarray(0, p), line.subarray(p + 1)]);
          else line = Buffer.concat([line.subarray(0, p), bytes, line.subarray(p + 1)]);
        }
        const accepted = scanEmbedded(scanner, line, '', '');
        // The line splitter hands the fast path only valid UTF-8 (it checks each chunk).
        if (!accepted || !isUtf8(line)) return;
        if (!line.equals(original)) acceptedMutants++;
        expectReadAsJsonParse(scanner, line.toString('utf8'));
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: some changed lines were still valid flat objects and were accepted.
    expect(acceptedMutants).toBeGreaterThan(50);
  });

  it('gives repeatedValue() = value() as lines go by, and keeps "20" and 20 apart (property)', () => {
    const pool = ['"20"', '20', '"2\\u0030"', '"30"', '"é"', '"\\u00e9"', '-0', '0', '1.0', '1', 'true', '"true"', 'null', '123456789012345', '1234567890123456', '"x y"', '"costarring"', '"liquid"'];
    const scanner = new JsonLineScanner();
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 20 }), (lines) => {
        for (const values of lines) {
          const text = objectLine(values.map((v, i) => [`k${i}`, v] as const), []);
          expect(scanner.scan(Buffer.from(text), 0, Buffer.byteLength(text))).toBe(true);
          const parsed = JSON.parse(text) as Record<string, unknown>;
          for (let i = 0; i < scanner.count; i++) {
            expect(scanner.repeatedValue(i)).toBe(scanner.value(i));
            expect(scanner.repeatedValue(i)).toBe(parsed[`k${i}`]);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps repeatedValue() right when values share a hash, and after its memory is cleared', () => {
    // FNV-1a collisions: "costarring"/"liquid" share a 32-bit hash; an integer's hash starts
    // from seed ^ 1, which is a string's hash with the first byte ^ 1: integer 20 ~ string "30".
    expect(fnvHash(Buffer.from('costarring'))).toBe(fnvHash(Buffer.from('liquid')));
    const scanner = new JsonLineScanner();
    const sequence = ['"costarring"', '"liquid"', '"costarring"', '20', '"30"', '20', '"20"', '30', '"30"'];
    for (const v of sequence) {
      const text = `{"k":${v}}`;
      expect(scanner.scan(Buffer.from(text), 0, text.length)).toBe(true);
      expect(scanner.repeatedValue(0)).toBe(JSON.parse(v));
    }
    // More distinct values than the memory keeps: it starts over, and stays right.
    for (let n = 0; n < 3000; n++) {
      const v = n % 2 === 0 ? `"v${n % 1500}"` : String(n % 1500);
      const text = `{"k":${v}}`;
      scanner.scan(Buffer.from(text), 0, text.length);
      expect(scanner.repeatedValue(0)).toBe(JSON.parse(v));
    }
  });

  it('hashes names with FNV-1a of their UTF-8 bytes, colliding names included', () => {
    const scanner = new JsonLineScanner();
    const text = '{"costarring":1,"liquid":2,"altarage":3,"zinke":4,"é李\u{1F600}":5,"":6}';
    expect(scanner.scan(Buffer.from(text), 0, Buffer.byteLength(text))).toBe(true);
    expect(scanner.keyHash(0)).toBe(scanner.keyHash(1));
    expect(scanner.keyHash(2)).toBe(scanner.keyHash(3));
    for (let i = 0; i < scanner.count; i++) expect(scanner.keyHash(i)).toBe(fnvHash(Buffer.from(scanner.keyText(i), 'utf8')));
    expect(scanner.keyIs(0, Buffer.from('liquid'))).toBe(false);
    expect(scanner.keyIs(5, Buffer.alloc(0))).toBe(true);
  });
});

/** `n` members `"k0":0, …`. */
const members = (n: number): string => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;

describe('JsonLineScanner: explicit declines and accepts', () => {
  // [line, why, is it valid JSON at all?] — valid ones are JSON.parse's business (nested values,
  // escaped names, very wide records take the ordinary path); the others JSON.parse rejects too.
  const DECLINES: ReadonlyArray<readonly [string, string, boolean]> = [
    ['{"a":{"b":1}}', 'nested object', true],
    ['{"a":[1]}', 'nested array', true],
    ['{"a\\u0062":1}', 'escape in a name', true],
    ['{"a\\"":1}', 'escaped quote in a name', true],
    [members(MAX_SCANNED_MEMBERS + 1), '129 members', true],
    ['[]', 'not an object', true],
    ['"a"', 'a string', true],
    ['1', 'a number', true],
    ['null', 'null', true],
    ['', 'empty line', false],
    ['  \t\r', 'blank line', false],
    ['{"a":"x\ty"}', 'raw TAB in a string', false],
    ['{"a":"x\u0001"}', 'raw control character in a string', false],
    ['{"a\u0001":1}', 'raw control character in a name', false],
    ['{"a":01}', 'leading zero', false],
    ['{"a":-01}', 'leading zero after minus', false],
    ['{"a":1}x', 'trailing garbage', false],
    ['{"a":1}{"b":2}', 'two objects', false],
    ['{"a":"\\x"}', 'invalid escape', false],
    ['{"a":"\\u12"}', 'short \\u escape', false],
    ['{"a":"\\u12G4"}', 'non-hex \\u escape', false],
    ['{"a":"\\', 'escape at the end', false],
    ['{"a":"open', 'unterminated string', false],
    ['{"a":1', 'unterminated object', false],
    ['{"a":1,}', 'trailing comma', false],
    ['{,}', 'comma alone', false],
    ['{"a" 1}', 'missing colon', false],
    ['{"a":}', 'missing value', false],
    ['{"a":1 "b":2}', 'missing comma', false],
    ['{"a":-}', 'minus alone', false],
    ['{"a":1.}', 'fraction without digits', false],
    ['{"a":.5}', 'fraction without integer part', false],
    ['{"a":1e}', 'exponent without digits', false],
    ['{"a":1e+}', 'signed exponent without digits', false],
    ['{"a":+1}', 'plus sign', false],
    ['{"a":tru}', 'cut literal', false],
    ['{"a":True}', 'capitalised literal', false],
    ['{"a":nulls}', 'literal with a tail', false],
    ['{"a":NaN}', 'NaN', false],
    ['{"a":Infinity}', 'Infinity', false],
    ["{'a':1}", 'single quotes', false],
    ['{a:1}', 'bare name', false],
    ['\ufeff{"a":1}', 'byte order mark (the line splitter drops it; the scanner must not read past it)', false],
    ['{"a"\u00a0:1}', 'NBSP is not JSON whitespace', false],
    ['{"a":1}\u000b', 'vertical tab is not JSON whitespace', false],
  ];

  it.each(DECLINES)('declines %j (%s)', (text, _why, validJson) => {
    let jsonOk = true;
    try {
      JSON.parse(text);
    } catch {
      jsonOk = false;
    }
    expect(jsonOk).toBe(validJson);
    const scanner = new JsonLineScanner();
    const line = Buffer.from(text, 'utf8');
    expect(scanner.scan(line, 0, line.length)).toBe(false);
    expect(scanEmbedded(scanner, line)).toBe(false);
  });

  // [line, expected members as JSON.parse gives them, which values are plain]
  const ACCEPTS: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, unknown]>, readonly boolean[]]> = [
    ['{}', [], []],
    [' \t\r{ \r\n}\r \t', [], []],
    ['\r{"a" : 1 }\r', [['a', 1]], [true]],
    ['{"a":-0}', [['a', -0]], [false]],
    ['{"a":0}', [['a', 0]], [true]],
    ['{"a":-5}', [['a', -5]], [true]],
    ['{"a":1e400,"b":-1e400}', [['a', Infinity], ['b', -Infinity]], [false, false]],
    ['{"a":1.0,"b":1E+2,"c":1e-7}', [['a', 1], ['b', 100], ['c', 1e-7]], [false, false, false]],
    ['{"a":123456789012345,"b":1234567890123456}', [['a', 123456789012345], ['b', 1234567890123456]], [true, false]],
    ['{"a":"20","b":20}', [['a', '20'], ['b', 20]], [true, true]],
    ['{"a":"","b":null,"c":true,"d":false}', [['a', ''], ['b', null], ['c', true], ['d', false]], [true, false, false, false]],
    ['{"a":"\\ud800","b":"\\/","c":"\\u00E9\\n"}', [['a', '\ud800'], ['b', '/'], ['c', 'é\n']], [false, false, false]],
    ['{"é李":"ç\u{1F600}","x":"\x7f"}', [['é李', 'ç\u{1F600}'], ['x', '\x7f']], [true, true]],
    ['{"__proto__":1}', [['__proto__', 1]], [true]],
    ['{"a":1,"a":2}', [['a', 1], ['a', 2]], [true, true]],
    ['{"b":1,"1":2}', [['b', 1], ['1', 2]], [true, true]],
    [members(MAX_SCANNED_MEMBERS), Array.from({ length: MAX_SCANNED_MEMBERS }, (_, i) => [`k${i}`, i] as const), Array<boolean>(MAX_SCANNED_MEMBERS).fill(true)],
  ];

  it.each(ACCEPTS)('accepts %j', (text, expected, plain) => {
    const scanner = new JsonLineScanner();
    const line = Buffer.from(text, 'utf8');
    expect(scanEmbedded(scanner, line)).toBe(true);
    expect(scanner.count).toBe(expected.length);
    expected.forEach(([name, value], i) => {
      expect(scanner.keyText(i)).toBe(name);
      expect(scanner.value(i)).toBe(value);
      expect(scanner.isPlain(i)).toBe(plain[i]);
    });
    expectReadAsJsonParse(scanner, text);
  });
});

describe('JsonLineScanner, four bytes at a time', () => {
  it('accepts and reads, or declines, as JSON.parse does for every byte at every position of a word', () => {
    // A string value with one byte (or a UTF-8 sequence) at offsets 0-3 of a run of plain
    // bytes: each lands in every lane of the word test.
    const scanner = new JsonLineScanner();
    const inserts: Buffer[] = [];
    for (let b = 0; b < 0x80; b++) inserts.push(Buffer.from([b]));
    for (const ch of ['é', '\u0085', '\u2028', '李', '\u{1F600}']) inserts.push(Buffer.from(ch, 'utf8'));
    for (const insert of inserts) {
      for (let offset = 0; offset < 4; offset++) {
        const line = Buffer.concat([Buffer.from('{"k":"' + 'a'.repeat(offset)), insert, Buffer.from('bcdefgh"}')]);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        const accepted = scanner.scan(line, 0, line.length);
        const what = `byte(s) ${insert.toString('hex')} at ${offset}`;
        // A lone backslash is an escape, which may still make valid JSON with the next byte.
        expect(accepted, what).toBe(parsed !== undefined);
        if (accepted) expect(scanner.value(0), what).toBe((parsed as { k: string }).k);
      }
    }
  });
});
