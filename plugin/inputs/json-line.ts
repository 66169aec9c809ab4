/**
 * Turns one input line (bytes already split on LF) into a RawRecord, with the specific
 * error every line-based input reports: invalid UTF-8, too long, not JSON, not an object.
 */
import { SegError } from '../core/errors.js';
import type { RawRecord } from '../core/record.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses a line given as bytes. `origin` names it in errors ("line 12"). */
export function parseJsonBytes(bytes: Uint8Array, origin: string, maxLineBytes: number): RawRecord {
  if (bytes.length > maxLineBytes) {
    throw new SegError('SEG_ERR_LINE_TOO_LONG', `${origin}: ${bytes.length} bytes, over the limit of ${maxLineBytes}`);
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new SegError('SEG_ERR_UTF8', `${origin}: not valid UTF-8`);
  }
  return parseJsonText(text, origin);
}

/** Parses a line given as text (already decoded). */
export function parseJsonText(text: string, origin: string): RawRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SegError('SEG_ERR_JSON', `${origin}: invalid JSON (${(e as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const kind = data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
    throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: JSON value is ${kind}, not an object`);
  }
  return { origin, data: data as Record<string, unknown> };
}
