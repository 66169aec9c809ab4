/**
 * `vector.Vector` (proto/vector/vector.proto), the service Vector's `vector` sink pushes to.
 * Each log event becomes a RawRecord (origin `vector#<index in request>`): an object root
 * arrives as `Log.fields`, any other root in `Log.value` (a string root holding a JSON object
 * is parsed); strings arrive as UTF-8 bytes. Every line goes to the sink and PushEvents
 * answers OK only once the sink accepted them all; a full sink gives RESOURCE_EXHAUSTED and
 * a down sink UNAVAILABLE, both retried by Vector. Records that can never be formatted
 * (and metric or trace events) are logged and counted but do not fail the call: Vector
 * would retry the whole batch forever, and re-sending poison data cannot help.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { SegError } from '../../core/errors.js';
import type { RawRecord } from '../../core/record.js';
import type { Pipeline } from '../../pipeline/build.js';
import { parseJsonText } from '../json-line.js';
import { conversionFailure, deliverLines, processConverted, secondsSince, type Converted } from './batch.js';
import { internalError } from './status.js';
import { vectorMapToJs, vectorValueToJs } from './values.js';

const TRANSPORT = 'vector';

/** vector.ServingStatus: note SERVING is 0 in Vector's enum. */
const VECTOR_SERVING = 0;
const VECTOR_NOT_SERVING = 1;

interface EventWrapperMsg {
  event?: 'log' | 'metric' | 'trace';
  log?: { fields?: Record<string, never>; value?: { kind?: string } | null };
}

interface PushEventsMsg {
  events: EventWrapperMsg[];
}

export function vectorService(pipeline: Pipeline, isServing: () => boolean) {
  return {
    PushEvents(call: ServerUnaryCall<PushEventsMsg, object>, callback: sendUnaryData<object>) {
      const started = performance.now();
      const events = call.request.events;
      pipeline.metrics.recordsIn(TRANSPORT, events.length);
      let batch;
      try {
        const records = events.map((ev, i) => convertEvent(ev, `vector#${i}`));
        batch = processConverted(pipeline, TRANSPORT, pipeline.processor, records);
      } catch (e) {
        callback(internalError(e));
        return;
      }
      deliverLines(pipeline, TRANSPORT, batch.lines, call, { fullIsUnavailable: false }).then(
        (err) => {
          pipeline.metrics.requestLatency(TRANSPORT, secondsSince(started));
          if (err === undefined) callback(null, {});
          else callback(err);
        },
        (e: unknown) => callback(internalError(e)),
      );
    },

    HealthCheck(_call: ServerUnaryCall<object, object>, callback: sendUnaryData<{ status: number }>) {
      callback(null, { status: isServing() ? VECTOR_SERVING : VECTOR_NOT_SERVING });
    },
  };
}

function convertEvent(ev: EventWrapperMsg, origin: string): Converted {
  try {
    if (ev.event === 'log') return logToRaw(ev.log!, origin);
    const what = ev.event === undefined ? 'an empty event' : `a ${ev.event} event`;
    throw new SegError('SEG_ERR_PROTOCOL', `${origin}: ${what}; only log events can be formatted`);
  } catch (e) {
    return conversionFailure(origin, e);
  }
}

/** Vector's encoding (lib/vector-core/src/event/proto.rs): `value` wins when set. */
function logToRaw(log: NonNullable<EventWrapperMsg['log']>, origin: string): RawRecord {
  if (log.value == null) return { origin, data: vectorMapToJs(log.fields, '') };
  const root = vectorValueToJs(log.value as never, '.');
  if (typeof root === 'string') return parseJsonText(root, origin);
  if (root !== null && typeof root === 'object' && !Array.isArray(root)) {
    return { origin, data: root as Record<string, unknown> };
  }
  const kind = root === null ? 'null' : Array.isArray(root) ? 'an array' : `a ${typeof root}`;
  throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: the event is ${kind}, not an object`);
}
