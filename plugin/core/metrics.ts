/**
 * What the pipeline counts. Transports and sinks report through this interface; the
 * Prometheus implementation lives in ops/, and the no-op one costs nothing when metrics are off.
 */
export type Transport = 'stdio' | 'follow' | 'grpc-formatter' | 'vector' | 'otlp' | 'forward';

export interface Metrics {
  recordsIn(transport: Transport, n: number): void;
  recordsOut(transport: Transport, n: number): void;
  /** `reason` is a SegError code (SEG_ERR_JSON, SEG_ERR_SINK_FULL, ...). */
  recordsFailed(transport: Transport, reason: string, n: number): void;
  /** Seconds from receiving a request/batch to answering it. */
  requestLatency(transport: Transport, seconds: number): void;
  /** Lines shortened to fit a byte budget, repairs made to header fields. */
  diagnostics(code: string, n: number): void;
}

export const noMetrics: Metrics = {
  recordsIn() {},
  recordsOut() {},
  recordsFailed() {},
  requestLatency() {},
  diagnostics() {},
};
