/**
 * The test parser must itself be strict, or the property and golden tests that lean on it
 * prove nothing. These cases are RFC 5424's own examples (§6.2.3.1, §6.5), which must parse,
 * and violations of its ABNF and MUSTs, which must be rejected.
 */
import { describe, expect, it } from 'vitest';
import { parseRfc5424, Rfc5424ParseError } from '../../helpers/rfc5424-parser.js';

const BOM = '\ufeff';

describe('rfc5424-parser (test helper) accepts the RFC examples', () => {
  it('example 1: no STRUCTURED-DATA, MSG with BOM', () => {
    const m = parseRfc5424(`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`);
    expect(m).toMatchObject({
      pri: 34, facility: 4, severity: 2, version: 1, timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com', appName: 'su', procId: null, msgId: 'ID47', structuredData: null,
      msg: "'su root' failed for lonvick on /dev/pts/8", bom: true,
    });
  });

  it('example 2: offset and 6-digit fraction, MSG without BOM', () => {
    const m = parseRfc5424("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    expect(m).toMatchObject({ pri: 165, timestamp: '2003-08-24T05:14:15.000003-07:00', procId: '8710', msg: "%% It's time to make the do-nuts.", bom: false });
  });

  it('examples 3 and 4: SD-ELEMENTs, escapes, no MSG', () => {
    const m = parseRfc5424(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    );
    expect(m.structuredData).toEqual([
      { id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] },
      { id: 'examplePriority@32473', params: [['class', 'high']] },
    ]);
    expect(m.msg).toBeUndefined();
    const escaped = parseRfc5424('<0>1 - - - - - [x@1 v="a\\"b\\\\c\\]d é"] m');
    expect(escaped.structuredData![0]!.params).toEqual([['v', 'a"b\\c]d é']]);
    expect(escaped.timestamp).toBeNull();
  });

  it('a second element after a space is MSG, not STRUCTURED-DATA', () => {
    const m = parseRfc5424('<13>1 - h a p m [x@1 a="1"] [y@1 b="2"]');
    expect(m.structuredData).toEqual([{ id: 'x@1', params: [['a', '1']] }]);
    expect(m.msg).toBe('[y@1 b="2"]');
  });

  it('registered SD-IDs and an empty MSG after SP', () => {
    expect(parseRfc5424('<13>1 1985-04-12T19:20:50.52-04:00 h a p m [timeQuality tzKnown="1"] ').msg).toBe('');
  });
});

describe('rfc5424-parser (test helper) rejects', () => {
  const bad: Array<[string, string]> = [
    ['Segura\'s published example (no STRUCTURED-DATA)', '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Successfully authenticated.'],
    ['a PRI with a leading zero', '<013>1 - - - - - -'],
    ['a PRIVAL above 191', '<192>1 - - - - - -'],
    ['VERSION 0', '<13>0 - - - - - -'],
    ['9 fraction digits', '<13>1 2003-08-24T05:14:15.000000003-07:00 h a p m -'],
    ['a leap second', '<13>1 1990-12-31T23:59:60Z h a p m -'],
    ['lowercase t', '<13>1 1985-04-12t23:20:50.52Z h a p m -'],
    ['lowercase z', '<13>1 1985-04-12T23:20:50.52z h a p m -'],
    ['an offset without colon', '<13>1 1985-04-12T23:20:50+0100 h a p m -'],
    ['February 29 in a common year', '<13>1 2019-02-29T00:00:00Z h a p m -'],
    ['hour 24', '<13>1 2019-02-28T24:00:00Z h a p m -'],
    ['a 256-character HOSTNAME', `<13>1 - ${'h'.repeat(256)} a p m -`],
    ['a 49-character APP-NAME', `<13>1 - h ${'a'.repeat(49)} p m -`],
    ['a 129-character PROCID', `<13>1 - h a ${'p'.repeat(129)} m -`],
    ['a 33-character MSGID', `<13>1 - h a p ${'m'.repeat(33)} -`],
    ['non-ASCII in HOSTNAME', '<13>1 - hé a p m -'],
    ['two spaces between fields', '<13>1 -  h a p m -'],
    ['an unescaped ] in PARAM-VALUE', '<13>1 - h a p m [x@1 v="a]b"]'],
    ['an unescaped backslash in PARAM-VALUE', '<13>1 - h a p m [x@1 v="a\\nb"]'],
    ['an unclosed PARAM-VALUE', '<13>1 - h a p m [x@1 v="ab]'],
    ['a duplicated SD-ID', '<13>1 - h a p m [x@1 a="1"][x@1 b="2"]'],
    ['an unregistered SD-ID without @', '<13>1 - h a p m [private a="1"]'],
    ['an SD-ID without enterprise number', '<13>1 - h a p m [x@abc a="1"]'],
    ['a 33-character PARAM-NAME', `<13>1 - h a p m [x@1 ${'n'.repeat(33)}="1"]`],
    ['a lone surrogate', '<13>1 - h a p m - \ud800'],
  ];
  it.each(bad)('%s', (_name, line) => {
    expect(() => parseRfc5424(line)).toThrow(Rfc5424ParseError);
  });

  it('invalid UTF-8 in MSG-UTF8 and in PARAM-VALUE', () => {
    const head = Buffer.from('<13>1 - h a p m - ', 'latin1');
    expect(() => parseRfc5424(Buffer.concat([head, Buffer.from([0xef, 0xbb, 0xbf, 0xc3, 0x28])]))).toThrow(Rfc5424ParseError);
    const sd = Buffer.concat([Buffer.from('<13>1 - h a p m [x@1 v="', 'latin1'), Buffer.from([0xff]), Buffer.from('"]', 'latin1')]);
    expect(() => parseRfc5424(sd)).toThrow(Rfc5424ParseError);
  });
});
