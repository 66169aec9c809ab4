/**
 * RFC 3339 timestamps in the profile RFC 5424 §6.2.3 allows: `YYYY-MM-DDThh:mm:ss[.frac]`
 * then `Z` or `±hh:mm`, uppercase `T`/`Z`, at most 6 fractional digits, no leap second.
 * The record's own offset is kept (Segura writes local time, e.g. `-03:00`) and its fraction
 * is written as given, cut (never rounded) to 6 digits. The Sensage `time` column uses the
 * same text. The wall-clock part is cached per second: consecutive records usually share it.
 */
import type { EventTime } from '../../core/record.js';

const MINUTES_PER_DAY = 24 * 60;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : String(n);
}

/** True for an offset that TIME-NUMOFFSET can write: whole minutes, less than 24 hours. */
export function isWritableOffset(minutes: number): boolean {
  return Number.isInteger(minutes) && Math.abs(minutes) < MINUTES_PER_DAY;
}

/** `Z` for 0, else `+hh:mm` / `-hh:mm`. */
export function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** The fraction as given, its leading digits only, at most 6 (TIME-SECFRAC = "." 1*6DIGIT). */
export function fractionText(fraction: string): string {
  let n = 0;
  while (n < fraction.length && n < 6) {
    const code = fraction.charCodeAt(n);
    if (code < 0x30 || code > 0x39) break;
    n++;
  }
  if (n === 0) return '';
  return `.${n === fraction.length ? fraction : fraction.slice(0, n)}`;
}

export interface Rfc3339Formatter {
  /**
   * The timestamp for `time`, or undefined when it cannot be written (not finite, year
   * outside 0000-9999, or an offset of 24 hours or more).
   */
  format(time: EventTime): string | undefined;
}

/** A formatter with a one-entry cache of the `YYYY-MM-DDThh:mm:ss` part. */
export function createRfc3339Formatter(): Rfc3339Formatter {
  let cachedSecond = Number.NaN;
  let cachedOffset = Number.NaN;
  let cachedWallClock = '';
  let cachedOffsetText = '';
  return {
    format(time) {
      const { epochMs, offsetMinutes } = time;
      if (!Number.isFinite(epochMs) || !isWritableOffset(offsetMinutes)) return undefined;
      const second = Math.floor(epochMs / 1000);
      if (second !== cachedSecond || offsetMinutes !== cachedOffset) {
        const wall = wallClock(second, offsetMinutes);
        if (wall === undefined) return undefined;
        cachedSecond = second;
        cachedOffset = offsetMinutes;
        cachedWallClock = wall;
        cachedOffsetText = offsetText(offsetMinutes);
      }
      return cachedWallClock + fractionText(time.fraction) + cachedOffsetText;
    },
  };
}

/** `YYYY-MM-DDThh:mm:ss` of the local time at `offsetMinutes`, or undefined if the year is not 4 digits. */
function wallClock(second: number, offsetMinutes: number): string | undefined {
  const d = new Date(second * 1000 + offsetMinutes * 60_000);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return undefined;
  return (
    `${pad4(year)}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** The time of formatting, UTC with milliseconds (for records without a time). */
export function nowText(): string {
  return new Date().toISOString();
}
