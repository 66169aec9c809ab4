/**
 * Loads our .proto contracts and turns their services into grpc-js service definitions.
 * The texts come from ./generated/proto-sources.ts (embedded by scripts/gen-protos.mjs), not
 * from files read by path, so the same code runs from source (vitest) and from the esbuild
 * bundle. They are parsed once with protobufjs into one Root; google/protobuf/* imports are
 * served by protobufjs' built-in copies of the well-known types. Messages are decoded to
 * protobufjs message objects (camelCase field names) and encoded from plain objects, with no
 * intermediate conversion, which keeps the per-record cost of a batch low.
 */
import protobuf from 'protobufjs';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { PROTO_SOURCES } from './generated/proto-sources.js';

/** Fully qualified names of the services segura-siem serves. */
export const SERVICE_NAMES = {
  formatter: 'segura.siem.v1.Formatter',
  vector: 'vector.Vector',
  otlpLogs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  health: 'grpc.health.v1.Health',
} as const;

const WELL_KNOWN = ['google/protobuf/struct.proto', 'google/protobuf/timestamp.proto'];

let root: protobuf.Root | undefined;

/** The parsed contracts (built on first use, then shared). */
export function protoRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  for (const name of WELL_KNOWN) {
    const json = protobuf.common.get(name);
    if (json?.nested !== undefined) r.addJSON(json.nested);
  }
  for (const [file, text] of Object.entries(PROTO_SOURCES)) {
    try {
      protobuf.parse(text, r);
    } catch (e) {
      throw new Error(`proto/${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  r.resolveAll();
  root = r;
  return r;
}

/** Looks up a message type by its fully qualified name. */
export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

/** Protobufjs writers return Buffers under Node; grpc-js needs a Buffer, so make sure. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function serializer(type: protobuf.Type): (value: unknown) => Buffer {
  return (value) => asBuffer(type.encode(value as protobuf.Message).finish());
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => unknown {
  return (bytes) => type.decode(bytes);
}

/**
 * A grpc-js service definition for one of our services: method paths `/<service>/<Method>`,
 * implementation keys are the method names as written in the .proto (`PushEvents`).
 */
export function serviceDefinition(fullName: string): ServiceDefinition {
  const service = protoRoot().lookupService(fullName);
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const req = method.resolvedRequestType!;
    const res = method.resolvedResponseType!;
    def[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: serializer(req),
      requestDeserialize: deserializer(req),
      responseSerialize: serializer(res),
      responseDeserialize: deserializer(res),
      originalName: method.name,
    };
  }
  return def as ServiceDefinition;
}
