/**
 * `opentelemetry.proto.collector.logs.v1.LogsService/Export`, as called by Fluent Bit's
 * `opentelemetry` output (`grpc: on`) and the Collector's OTLP/gRPC exporter. A LogRecord
 * holds a Segura record in one of three shapes:
 *   1. body is a kvlist: the record itself (Fluent Bit's default);
 *   2. body is a string (or bytes) holding a JSON object (Collector filelog);
 *   3. body is free text and the fields are in `attributes` (Collector json_parser,
 *      Fluent Bit logs_body_key + logs_body_key_attributes): the record is the attributes,
 *      with the body under `msg` unless the attributes already have one.
 * In shapes 1 and 2 attributes are ignored (they describe the shipper, not the event), and
 * resource and scope attributes are never copied (host/pod metadata would otherwise become
 * extension fields on every line). Records that can never be formatted are counted in
 * `partial_success` and not retried; the call answers OK only once the sink accepted every
 * line, and UNAVAILABLE when it cannot (the OTLP spec's retryable back-pressure code).
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { SegError } from '../../core/errors.js';
import type { RawRecord } from '../../core/record.js';
import type { Pipeline } from '../../pipeline/build.js';
import { parseJsonText } from '../json-line.js';
import { conversionFailure, deliverLines, processConverted, secondsSince, type Converted } from './batch.js';
import type { DecodedExportRequest, DecodedLogRecord } from './otlp-decode.js';
import { internalError } from './status.js';
import { decodeUtf8 } from './values.js';

const TRANSPORT = 'otlp';
const LOOKS_LIKE_OBJECT = /^\s*\{/;

interface ExportResponseObj {
  partialSuccess?: { rejectedLogRecords: number; errorMessage: string };
}

/** The request arrives already decoded by otlp-decode.ts (the method's deserializer). */
export function otlpLogsService(pipeline: Pipeline) {
  return {
    Export(call: ServerUnaryCall<DecodedExportRequest, ExportResponseObj>, callback: sendUnaryData<ExportResponseObj>) {
      const started = performance.now();
      let batch;
      try {
        const records = call.request.logRecords;
        pipeline.metrics.recordsIn(TRANSPORT, records.length);
        batch = processConverted(pipeline, TRANSPORT, pipeline.processor, records.map(convertRecord));
      } catch (e) {
        callback(internalError(e));
        return;
      }
      const response: ExportResponseObj = {};
      if (batch.failed > 0) {
        response.partialSuccess = {
          rejectedLogRecords: batch.failed,
          errorMessage: `${batch.failed} record(s) cannot be formatted and were dropped; first: ${batch.firstErrors.join('; ')}`,
        };
      }
      deliverLines(pipeline, TRANSPORT, batch.lines, call, { fullIsUnavailable: true }).then(
        (err) => {
          pipeline.metrics.requestLatency(TRANSPORT, secondsSince(started));
          if (err === undefined) callback(null, response);
          else callback(err);
        },
        (e: unknown) => callback(internalError(e)),
      );
    },
  };
}

/** Origin `otlp#<index of the LogRecord in the request>`. */
function convertRecord(lr: DecodedLogRecord, index: number): Converted {
  const origin = `otlp#${index}`;
  try {
    return logRecordToRaw(lr, origin);
  } catch (e) {
    return conversionFailure(origin, e);
  }
}

function logRecordToRaw(lr: DecodedLogRecord, origin: string): RawRecord {
  const body = lr.body;
  switch (body?.kind) {
    case 'kvlistValue':
      return { origin, data: body.value as Record<string, unknown> };
    case 'stringValue':
      return fromText(body.value as string, lr, origin);
    case 'bytesValue':
      return fromText(decodeUtf8(body.value as Uint8Array, 'body'), lr, origin);
    case undefined:
      if (lr.attributeCount > 0) return { origin, data: lr.attributes() };
      throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: the log record has no body and no attributes`);
    default: {
      const shown = String(JSON.stringify(body!.value)).slice(0, 40);
      throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: the body is ${body!.kind} (${shown}), not a record`, { field: 'body' });
    }
  }
}

/** Shapes 2 and 3: a JSON object in the body wins; otherwise the attributes are the record. */
function fromText(text: string, lr: DecodedLogRecord, origin: string): RawRecord {
  if (lr.attributeCount === 0) return parseJsonText(text, origin);
  if (LOOKS_LIKE_OBJECT.test(text)) {
    try {
      return parseJsonText(text, origin);
    } catch {
      // Not valid JSON after all: fall through to the attributes.
    }
  }
  const data = lr.attributes();
  if (!('msg' in data) && text !== '') data['msg'] = text;
  return { origin, data };
}
