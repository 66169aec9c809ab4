/**
 * Request compression: grpc-js decompresses `gzip` and `deflate` itself (and `identity` is
 * no compression). Anything else (zstd, snappy: the Collector and Vector can be set to
 * send them) would otherwise fail only when the first compressed message arrives, with
 * grpc-js's generic message. This interceptor refuses such a call at once with
 * UNIMPLEMENTED, a message naming what to configure, and `grpc-accept-encoding`, as the
 * gRPC compression spec (grpc/grpc doc/compression.md) asks.
 *
 * grpc-js strips `grpc-encoding` from the metadata handlers see; the innermost call object
 * keeps it in `incomingEncoding` (grpc-js 1.14 server-interceptors.ts). If a later grpc-js
 * renames that field, this check is skipped and grpc-js's own UNIMPLEMENTED still applies;
 * the compression test then fails, which is the signal to look here.
 */
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';

export const ACCEPTED_ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate'];

export const compressionInterceptor: ServerInterceptor = (_method, call) => {
  const encoding = (call as unknown as { incomingEncoding?: unknown }).incomingEncoding;
  if (typeof encoding !== 'string' || ACCEPTED_ENCODINGS.includes(encoding)) return new ServerInterceptingCall(call);
  return new ServerInterceptingCall(call, {
    start() {
      const metadata = new Metadata();
      metadata.set('grpc-accept-encoding', ACCEPTED_ENCODINGS.join(','));
      call.sendStatus({
        code: status.UNIMPLEMENTED,
        details: `request compression "${encoding}" is not supported; send gzip or none (identity). ` +
          'Collector: compression: gzip | none; Vector sink: compression: gzip | none',
        metadata,
      });
    },
  });
};
