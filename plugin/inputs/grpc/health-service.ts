/**
 * `grpc.health.v1.Health` (proto/grpc/health/v1/health.proto), implemented here rather than
 * with the grpc-health-check package, which loads its .proto by path at run time and so
 * breaks inside the esbuild bundle. Statuses follow the gRPC health protocol
 * (grpc/grpc-proto health.proto, gRFC L106): "" is the whole server; Check answers NOT_FOUND
 * for an unknown service; Watch sends the current status at once and then every change
 * (SERVICE_UNKNOWN for a service it does not know). One HealthState serves the main port and
 * the separate plaintext probe port, so both turn NOT_SERVING at the same moment.
 */
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const HealthStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
export type HealthStatusValue = (typeof HealthStatus)[keyof typeof HealthStatus];

type Watcher = (s: HealthStatusValue) => void;

interface CheckRequest {
  service: string;
}

interface CheckResponse {
  status: HealthStatusValue;
}

export class HealthState {
  private readonly statuses = new Map<string, HealthStatusValue>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly watchCalls = new Set<ServerWritableStream<CheckRequest, CheckResponse>>();

  /** `services`: fully qualified names; "" (the whole server) is always present. */
  constructor(services: readonly string[], initial: HealthStatusValue = HealthStatus.SERVING) {
    for (const name of ['', ...services]) this.statuses.set(name, initial);
  }

  get(service: string): HealthStatusValue | undefined {
    return this.statuses.get(service);
  }

  /** Sets every known service (and the server) to `s`; watchers see the change. */
  setAll(s: HealthStatusValue): void {
    for (const name of this.statuses.keys()) this.set(name, s);
  }

  set(service: string, s: HealthStatusValue): void {
    if (this.statuses.get(service) === s) return;
    this.statuses.set(service, s);
    for (const w of this.watchers.get(service) ?? []) w(s);
  }

  /** Ends every Watch stream (server shutdown: they would otherwise keep the server open). */
  endWatches(): void {
    for (const call of this.watchCalls) call.end();
    this.watchCalls.clear();
    this.watchers.clear();
  }

  /** The service implementation, for `server.addService`. */
  service() {
    return {
      Check: (call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>) => {
        const s = this.statuses.get(call.request.service);
        if (s === undefined) {
          callback({ code: status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
          return;
        }
        callback(null, { status: s });
      },
      Watch: (call: ServerWritableStream<CheckRequest, CheckResponse>) => this.watch(call),
      List: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const statuses: Record<string, CheckResponse> = {};
        for (const [name, s] of this.statuses) statuses[name] = { status: s };
        callback(null, { statuses });
      },
    };
  }

  private watch(call: ServerWritableStream<CheckRequest, CheckResponse>): void {
    const service = call.request.service;
    let last: HealthStatusValue | undefined;
    const send: Watcher = (s) => {
      if (s === last) return; // the protocol sends changes only
      last = s;
      call.write({ status: s });
    };
    let set = this.watchers.get(service);
    if (set === undefined) this.watchers.set(service, (set = new Set()));
    set.add(send);
    this.watchCalls.add(call);
    const forget = () => {
      set.delete(send);
      this.watchCalls.delete(call);
    };
    call.on('cancelled', forget);
    call.on('finish', forget);
    call.on('error', forget);
    send(this.statuses.get(service) ?? HealthStatus.SERVICE_UNKNOWN);
  }
}
