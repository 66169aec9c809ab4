/**
 * Names for fields that are neither header fields, CEF dictionary keys nor Segura keys.
 * CEF custom keys must be one alphanumeric word starting with a letter and must not clash
 * with the dictionary (CEF spec, "User-Defined Extensions"), so an input name is turned
 * into one deterministically: accents are removed (`São` → `Sao`), runs of other characters
 * join the next word in camelCase (`user-name`, `user.name`, `user_name` → `userName`); a
 * leading digit gets an `x`
 * prefix; a name with no ASCII letter or digit becomes `x` + the hex of its UTF-8 bytes; a
 * name that matches a reserved key up to case gets `x` + PascalCase (`_msg` → `xMsg`). The
 * strict profile prefixes every such key with `MT4Segura` (+ PascalCase). A name already
 * written in the record, or one of our own reserved custom keys, gets a counter (`userName2`).
 * Only renames that lose information, and counters, are reported.
 */
import type { ProfileName } from './normalizer.js';
import { CUSTOM_PREFIX } from './profiles.js';

/** Longest custom key written; longer input names are cut (with a diagnostic). */
export const MAX_CUSTOM_KEY = 255;

/** Input names whose base name is cached; beyond this, names are computed each time. */
const CACHE_LIMIT = 4096;

const EMPTY: ReadonlySet<string> = new Set();

export interface BaseName {
  readonly name: string;
  /** Why the name lost or rewrote information, when it did (documented plain rules are silent). */
  readonly change: string | undefined;
  /** The diagnostic text for `change`, built once per input name. */
  readonly report: string | undefined;
}

export class ExtraNamer {
  private readonly cache = new Map<string, BaseName>();

  constructor(
    private readonly profile: ProfileName,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  /** The per-record-independent name of an unknown input field. */
  base(input: string): BaseName {
    let b = this.cache.get(input);
    if (b === undefined) {
      b = this.compute(input);
      if (this.cache.size < CACHE_LIMIT) this.cache.set(input, b);
    }
    return b;
  }

  /**
   * A key not yet written in this record: the base name (never reserved, see compute), or
   * base + 2, 3, … skipping reserved names.
   */
  unique(base: string, taken: ReadonlySet<string>): string {
    if (!taken.has(base)) return base;
    return this.counted(base, taken);
  }

  /** Like unique(), for names not built by compute() (moved values): reserved names are skipped too. */
  free(name: string, taken: ReadonlySet<string>): string {
    return taken.has(name) || this.reserved.has(name.toLowerCase()) ? this.counted(name, taken) : name;
  }

  private counted(base: string, taken: ReadonlySet<string>): string {
    for (let n = 2; ; n++) {
      const candidate = base + n;
      if (!taken.has(candidate) && !this.reserved.has(candidate.toLowerCase())) return candidate;
    }
  }

  /**
   * The documented rules (camelCase join, `x` before a leading digit, the strict prefix) are
   * silent; a change that loses or rewrites information (non-ASCII characters, no letters at
   * all, a reserved name, a cut) is reported as `change`.
   */
  private compute(input: string): BaseName {
    const plain = withoutDiacritics(input);
    let words = camelJoin(plain);
    let change: string | undefined = plain === input ? undefined : 'non-ASCII characters removed';
    if (words.length === 0) {
      words = 'x' + Buffer.from(input, 'utf8').toString('hex').toUpperCase();
      change = 'no ASCII letter or digit: hex of the UTF-8 name';
    } else if (isDigit(words.charCodeAt(0)) && this.profile === 'segura') {
      words = 'x' + words;
    }
    if (words.length > MAX_CUSTOM_KEY) {
      words = words.slice(0, MAX_CUSTOM_KEY);
      change = `longer than ${MAX_CUSTOM_KEY} characters: cut`;
    }
    if (this.profile === 'strict') {
      const name = CUSTOM_PREFIX + pascal(words);
      // Our own custom keys (MT4SeguraOriginIP …) are reserved: a look-alike gets a counter.
      if (!this.reserved.has(name.toLowerCase())) return describe(input, name, change);
      return describe(input, this.counted(name, EMPTY), `"${name}" is one of our own keys: counter added`);
    }
    if (!this.reserved.has(words.toLowerCase())) return describe(input, words, change);
    const prefixed = 'x' + pascal(words);
    const name = this.reserved.has(prefixed.toLowerCase()) ? this.counted(prefixed, EMPTY) : prefixed;
    return describe(input, name, `"${words}" is a reserved key: x prefix`);
  }
}

function describe(input: string, name: string, change: string | undefined): BaseName {
  const shown = input.length > 60 ? `${input.slice(0, 60)}…` : input;
  return { name, change, report: change === undefined ? undefined : `${shown} written as ${name} (${change})` };
}

/** `Ärger` → `Arger`, `São` → `Sao` (NFD, combining marks removed); ASCII input is returned as is. */
function withoutDiacritics(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  return s;
}

/** Keeps ASCII letters and digits; a run of anything else upper-cases the next letter. */
export function camelJoin(input: string): string {
  let out = '';
  let upperNext = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (isAsciiAlnum(c)) {
      const ch = input[i]!;
      out += upperNext && out.length > 0 ? ch.toUpperCase() : ch;
      upperNext = false;
    } else {
      upperNext = true;
    }
  }
  return out;
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
