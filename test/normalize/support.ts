/** Helpers for the normalize tests: a normalizer that records its diagnostics, field readers. */
import type { CanonicalRecord, Diagnostic } from '../../plugin/core/record.js';
import { buildNormalizer } from '../../plugin/normalize/normalize.js';
import type { NormalizeOptions } from '../../plugin/normalize/normalizer.js';

export interface Recorded extends Diagnostic {
  readonly origin: string;
}

export interface Harness {
  run(data: Record<string, unknown>, origin?: string): CanonicalRecord;
  readonly diags: Recorded[];
  /** Diagnostic codes so far, then cleared. */
  codes(): string[];
}

export const DEFAULTS: NormalizeOptions = {
  profile: 'segura',
  dropUnknown: false,
  defaultSeverity: '5',
  defaultSyslogSeverity: 5,
  aliases: {},
};

export function harness(over: Partial<NormalizeOptions> = {}): Harness {
  const diags: Recorded[] = [];
  const n = buildNormalizer({ ...DEFAULTS, ...over }, (origin, d) => diags.push({ origin, ...d }));
  return {
    run: (data, origin = 'line 1') => n.normalize({ origin, data }),
    diags,
    codes() {
      const out = diags.map((d) => d.code);
      diags.length = 0;
      return out;
    },
  };
}

export const keysOf = (r: CanonicalRecord): string[] => r.fields.map((f) => f.key);
export const pairsOf = (r: CanonicalRecord): string[] => r.fields.map((f) => `${f.key}=${f.value}`);
export const valueOf = (r: CanonicalRecord, key: string): string | undefined => r.fields.find((f) => f.key === key)?.value;
