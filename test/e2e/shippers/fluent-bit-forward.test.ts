/**
 * The Fluent Bit Forward loop (config-examples/fluent-bit/forward-loop.yaml), acted out on
 * both sides of the real `segura-siem serve --forward ... --sink forward://...` started with
 * the command line that example quotes:
 *
 * - this test is Fluent Bit's `forward` OUTPUT: Forward mode `[tag, [entries], options]`
 *   with `require_ack_response` (options carry `size`, `chunk` = base64 of 16 bytes of
 *   SHA-512 of the payload, `fluent_signal` 0; plugins/out_forward/forward.c), entries in the
 *   v5 default shape `[[EventTime, {metadata}], record]` (retain_metadata_in_forward_mode,
 *   default true since 5.0.5) or the 4.x shape `[EventTime, record]`, and with `compress gzip`
 *   CompressedPackedForward `[tag, bin(gzip(entries)), {compressed: "gzip", ...}]`;
 * - this test is also Fluent Bit's `forward` INPUT that receives the formatted lines, and it
 *   holds back its acks to prove the order: segura-siem acks a chunk only after the return
 *   leg acked the lines made from it (at-least-once end to end).
 * The record key the return leg carries the line in must be the key the example's SIEM
 * output reads (`raw_message_key $line` / `syslog_message_key line`).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventTime,
  ForwardOutput,
  ROOT,
  ensureBuilt,
  entryRecord,
  exampleArgv,
  expectLineFor,
  forwardEntries,
  freePort,
  packForward,
  readMsgpackStream,
  retarget,
  sampleRecords,
  serving,
  start,
  stop,
  waitFor,
  type Running,
} from './support.js';

const EXAMPLE = 'config-examples/fluent-bit/forward-loop.yaml';

type Plugin = Record<string, unknown>;

/** What the example configures: leg 1 output, return-leg input, the key the SIEM output reads. */
function loopConfig(): { leg1: Plugin; returnInput: Plugin; lineKey: string; v5Shape: boolean } {
  type Doc = { includes?: string[]; pipeline?: { inputs?: Plugin[]; outputs?: Plugin[] } };
  const doc = parseYaml(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as Doc;
  // The example's own plugins plus those of the files it `includes:` (siem-output.yaml).
  const included = (doc.includes ?? []).map((f) => parseYaml(readFileSync(join(ROOT, dirname(EXAMPLE), f), 'utf8')) as Doc);
  const inputs = [doc, ...included].flatMap((d) => d.pipeline?.inputs ?? []);
  const outputs = [doc, ...included].flatMap((d) => d.pipeline?.outputs ?? []);
  const leg1 = outputs.find((o) => o['name'] === 'forward')!;
  const returnInput = inputs.find((i) => i['name'] === 'forward')!;
  // The SIEM output is the one that takes the return leg's tag.
  const siem = outputs.find((o) => (o['name'] === 'tcp' || o['name'] === 'syslog') && o['match'] === (returnInput['tag'] ?? 'segura.siem'))!;
  const key = String(siem['raw_message_key'] ?? siem['syslog_message_key']).replace(/^\$/, '');
  const retain = leg1['retain_metadata_in_forward_mode'];
  return { leg1, returnInput, lineKey: key, v5Shape: retain === undefined || ['true', 'on'].includes(String(retain).toLowerCase()) };
}

/** Fluent Bit's forward input: collects records, acks chunks now or when released. */
class ForwardInput {
  readonly records: Array<{ tag: string; record: Record<string, unknown> }> = [];
  private held: Array<() => void> = [];
  private holding = true;
  private readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {}

  static async listen(port: number): Promise<ForwardInput> {
    let self!: ForwardInput;
    const server = createServer((socket) => self.accept(socket));
    self = new ForwardInput(server);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    readMsgpackStream(socket, (v) => {
      if (!Array.isArray(v)) return; // heartbeat (nil) or noise
      const { tag, entries, options } = forwardEntries(v);
      for (const e of entries) this.records.push({ tag, record: entryRecord(e) });
      const chunk = options['chunk'];
      if (typeof chunk !== 'string') return;
      const ack = () => socket.write(packForward({ ack: chunk }));
      if (this.holding) this.held.push(ack);
      else ack();
    });
  }

  release(): void {
    this.holding = false;
    for (const ack of this.held.splice(0)) ack();
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const time = (i: number) => new EventTime(1_768_819_260 + i, 123_000_000);
const v5Entries = (records: ReadonlyArray<Record<string, unknown>>) => records.map((r, i) => [[time(i), {}], r]);
const v4Entries = (records: ReadonlyArray<Record<string, unknown>>) => records.map((r, i) => [time(i), r]);

describe('Fluent Bit forward output → segura-siem serve --forward → forward input', () => {
  let p: Running;
  let input: ForwardInput;
  let output: ForwardOutput;
  let config: ReturnType<typeof loopConfig>;

  beforeAll(async () => {
    await ensureBuilt();
    config = loopConfig();
    const argv = exampleArgv(EXAMPLE, 'serve');
    // The example's two legs point at what its segura-siem command line opens and sends to.
    expect(`${String(config.leg1['host'])}:${String(config.leg1['port'])}`).toBe(argv[argv.indexOf('--forward') + 1]);
    expect(String(config.leg1['require_ack_response'])).toMatch(/^(true|on)$/i);
    expect(argv).toContain(`forward://${String(config.returnInput['listen'] ?? '127.0.0.1')}:${String(config.returnInput['port'])}`);

    input = await ForwardInput.listen(0);
    const forwardPort = await freePort();
    p = start(retarget(argv, { forward: `127.0.0.1:${forwardPort}`, sink: `forward://127.0.0.1:${input.port}` }, ['sink']));
    await serving(p);
    output = await ForwardOutput.connect(forwardPort);
  }, 120_000);

  afterAll(async () => {
    output?.close();
    if (p !== undefined) expect(await stop(p)).toBe(0);
    await input?.close();
  });

  it('acks a chunk only after the return leg acked its lines, in the shape the example sends', async () => {
    const records = sampleRecords(3);
    const entries = config.v5Shape ? v5Entries(records) : v4Entries(records);
    const chunk = output.sendForward('segura.raw', entries);

    const got = await waitFor(() => (input.records.length >= records.length ? input.records.slice(0, records.length) : undefined), () => `${records.length} records at the forward input`);
    // The return leg holds its ack: segura-siem must not have acked leg 1.
    expect(output.acks).toEqual([]);
    input.release();
    await waitFor(() => (output.acks.includes(chunk) ? true : undefined), () => `ack ${chunk}; got ${JSON.stringify(output.acks)}`);

    got.forEach(({ record }, i) => {
      const line = record[config.lineKey];
      expect(typeof line, `record key "${config.lineKey}" read by the SIEM output`).toBe('string');
      expectLineFor(line as string, records[i]!);
      expect(record['event_id']).toBe(String(records[i]!['event_id']));
    });
  });

  it('accepts the other entry shape and gzip-compressed chunks too', async () => {
    const before = input.records.length;
    const a = sampleRecords(5).slice(3);
    const b = sampleRecords(7).slice(5);
    const c1 = output.sendForward('segura.raw', config.v5Shape ? v4Entries(a) : v5Entries(a));
    const c2 = output.sendCompressed('segura.raw', v5Entries(b));
    await waitFor(() => (output.acks.includes(c1) && output.acks.includes(c2) ? true : undefined), () => `acks ${c1}, ${c2}`);
    const got = input.records.slice(before).map((r) => r.record[config.lineKey] as string);
    expect(got).toHaveLength(a.length + b.length);
    got.forEach((line, i) => expectLineFor(line, [...a, ...b][i]!));
  });
});
