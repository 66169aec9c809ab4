/**
 * One error type for the whole plugin. `code` is stable (tests and metrics use it);
 * `permanent` says whether retrying the same data can ever succeed.
 */
export type ErrorCode =
  | 'SEG_ERR_JSON' // input is not valid JSON
  | 'SEG_ERR_NOT_OBJECT' // JSON value is not an object
  | 'SEG_ERR_LINE_TOO_LONG' // input line over --max-line-bytes
  | 'SEG_ERR_UTF8' // input bytes are not valid UTF-8
  | 'SEG_ERR_FIELD' // a field value can never be formatted (wrong type, out of range)
  | 'SEG_ERR_FORMAT' // a formatter could not render the record
  | 'SEG_ERR_CONFIG' // bad configuration
  | 'SEG_ERR_SINK_UNAVAILABLE' // sink down or reconnecting: retry later
  | 'SEG_ERR_SINK_FULL' // sink queue full: retry later
  | 'SEG_ERR_SINK_CLOSED' // sink shut down: nothing more is accepted
  | 'SEG_ERR_PROTOCOL' // peer violated a wire protocol
  | 'SEG_ERR_INTERNAL';

export class SegError extends Error {
  readonly code: ErrorCode;
  readonly permanent: boolean;
  /** The offending field, when there is one. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { permanent?: boolean; field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SegError';
    this.code = code;
    this.permanent = opts.permanent ?? PERMANENT_BY_DEFAULT.has(code);
    this.field = opts.field;
  }
}

const PERMANENT_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SEG_ERR_JSON',
  'SEG_ERR_NOT_OBJECT',
  'SEG_ERR_LINE_TOO_LONG',
  'SEG_ERR_UTF8',
  'SEG_ERR_FIELD',
  'SEG_ERR_FORMAT',
  'SEG_ERR_CONFIG',
  'SEG_ERR_PROTOCOL',
]);

/** Converts anything thrown into a SegError so edges can map it to a status. */
export function toSegError(e: unknown): SegError {
  if (e instanceof SegError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SegError('SEG_ERR_INTERNAL', message, { permanent: false, cause: e });
}

export function isPermanent(e: unknown): boolean {
  return e instanceof SegError && e.permanent;
}
