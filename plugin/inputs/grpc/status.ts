/**
 * Maps sink and processing failures to gRPC status codes, chosen for what each client
 * retries: Vector's sink retries everything except NOT_FOUND, INVALID_ARGUMENT,
 * ALREADY_EXISTS, PERMISSION_DENIED, OUT_OF_RANGE, UNIMPLEMENTED, UNAUTHENTICATED and
 * DATA_LOSS; Fluent Bit retries CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED,
 * INTERNAL and UNAVAILABLE; the OTLP specification (opentelemetry-proto
 * docs/specification.md, "Failures") makes RESOURCE_EXHAUSTED retryable only with a
 * RetryInfo detail, so OTLP gets UNAVAILABLE for every transient sink problem.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { SegError, toSegError } from '../../core/errors.js';

/** A status to end a call with (grpc-js accepts a partial ServiceError). */
export type CallError = Partial<ServiceError> & { code: status; details: string };

function callError(code: status, details: string): CallError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

/**
 * Status for a failed `sink.deliver`: SEG_ERR_SINK_FULL → RESOURCE_EXHAUSTED (UNAVAILABLE
 * for OTLP), everything else transient → UNAVAILABLE. A sink error is never the caller's
 * fault, so never INVALID_ARGUMENT.
 */
export function sinkErrorStatus(e: unknown, opts: { fullIsUnavailable: boolean }): CallError {
  const err = e instanceof SegError ? e : toSegError(e);
  if (err.code === 'SEG_ERR_SINK_FULL' && !opts.fullIsUnavailable) {
    return callError(status.RESOURCE_EXHAUSTED, `sink queue full, retry later: ${err.message}`);
  }
  if (err.code === 'SEG_ERR_SINK_CLOSED') {
    return callError(status.UNAVAILABLE, `server shutting down, nothing was accepted: ${err.message}`);
  }
  return callError(status.UNAVAILABLE, `sink not accepting lines, retry later: ${err.message}`);
}

/** The request can never succeed as sent. */
export function invalidArgument(details: string): CallError {
  return callError(status.INVALID_ARGUMENT, details);
}

export function unavailable(details: string): CallError {
  return callError(status.UNAVAILABLE, details);
}

/** An unexpected failure in our own code, logged by the caller. */
export function internalError(e: unknown): CallError {
  return callError(status.INTERNAL, `internal error: ${toSegError(e).message}`);
}
