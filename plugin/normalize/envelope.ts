/**
 * Unwraps shipper envelopes around a Segura record: `{"log": "<json>"}` (Docker, Fluent
 * Bit tail), `{"exec": "<json>"}` (Fluent Bit exec), `{"message": "<json>"}` (Vector,
 * syslog sources). The inner text counts as a record only when it parses as a JSON object;
 * otherwise the key is an ordinary field (`message` is then CEF `msg`). The envelope's
 * other keys are the shipper's metadata (stream, read time, source_type) and are not
 * emitted.
 */

/** Envelope keys, tried in this order. */
export const ENVELOPE_KEYS: readonly string[] = ['log', 'exec', 'message'];

/** Nesting beyond this is left as it is (a diagnostic says so). */
export const MAX_ENVELOPE_DEPTH = 4;

export interface Unwrapped {
  readonly data: Record<string, unknown>;
  /** How many envelopes were removed. */
  readonly depth: number;
  /** True when another envelope was left in place at MAX_ENVELOPE_DEPTH. */
  readonly tooDeep: boolean;
}

/**
 * Cheap test run on every record: false when no envelope key holds text, so the common
 * record (no envelope) skips unwrapEnvelopes. Named loads, in ENVELOPE_KEYS order.
 */
export function mayBeEnvelope(data: Record<string, unknown>): boolean {
  return typeof data['log'] === 'string' || typeof data['exec'] === 'string' || typeof data['message'] === 'string';
}

export function unwrapEnvelopes(data: Record<string, unknown>): Unwrapped {
  let current = data;
  for (let depth = 0; ; depth++) {
    const inner = innerRecord(current);
    if (inner === undefined) return { data: current, depth, tooDeep: false };
    if (depth === MAX_ENVELOPE_DEPTH) return { data: current, depth, tooDeep: true };
    current = inner;
  }
}

function innerRecord(data: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const key of ENVELOPE_KEYS) {
    const value = data[key];
    if (typeof value !== 'string' || !looksLikeObject(value)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      continue;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  }
  return undefined;
}

/** First non-blank character is `{` and the last is `}`: worth a JSON.parse. */
function looksLikeObject(s: string): boolean {
  let i = 0;
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 123 /* { */) return false;
  let j = s.length - 1;
  while (j > i && isBlank(s.charCodeAt(j))) j--;
  return s.charCodeAt(j) === 125 /* } */;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
