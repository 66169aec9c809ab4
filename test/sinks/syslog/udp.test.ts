/**
 * syslog+udp with a real datagram listener: one message per datagram with no framing, the
 * size cap exposed as maxMessageBytes and counted in UTF-8 bytes, oversized lines refused
 * (never cut) with a permanent error while the rest of the batch goes out, and a receiver
 * that is not listening reported without crashing.
 */
import { describe, expect, it } from 'vitest';
import type { SegError } from '../../../plugin/core/errors.js';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { createSyslogSink, type SyslogSinkStats } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { startDatagramListener } from '../../helpers/syslog-listener.js';
import { lines, refusingPort, sinkConfig, tuning, until } from './fixtures.js';

const udp = (port: number) => ({ kind: 'syslog', transport: 'udp', host: '127.0.0.1', port }) as const;

describe('syslog+udp', () => {
  it('sends one unframed datagram per line, in order', async () => {
    const listener = await startDatagramListener();
    const sink = createSyslogSink(udp(listener.port), sinkConfig(), createMemoryLogger());
    const sent = lines(0, 200);
    await sink.deliver(sent);
    await listener.waitFor(200);
    expect(listener.messages).toEqual(sent.map((l) => l.text));
    // No octet count, no LF: the payload is exactly the line's UTF-8 bytes.
    expect(listener.datagrams[7]).toEqual(Buffer.from(sent[7]!.text, 'utf8'));
    expect(sink.stats()).toMatchObject({ delivered: 200, queueDepth: 0 });
    await sink.close(1_000);
    await listener.close();
  });

  it('exposes the size cap and refuses lines over it in bytes, delivering the rest', async () => {
    const listener = await startDatagramListener();
    const logger = createMemoryLogger();
    const sink = createSyslogSink(udp(listener.port), sinkConfig({ udpMaxBytes: 1_000 }), logger);
    expect(sink.maxMessageBytes).toBe(1_000);
    const defaults = createSyslogSink(udp(listener.port), sinkConfig(), logger);
    expect(defaults.maxMessageBytes).toBe(2_048);
    await defaults.close(0);

    const fits = `<13>1 - - - - - - ${'ç'.repeat(491)}`; // 18 + 982 = 1000 bytes in 509 characters
    const over = `<13>1 - - - - - - ${'ç'.repeat(492)}`; // 1002 bytes in 510 characters: over only in bytes
    const huge = `<13>1 - - - - - - ${'x'.repeat(60_000)}`;
    expect(Buffer.byteLength(fits)).toBe(1_000);
    const batch = [{ text: 'one' }, { text: over, eventId: '7' }, { text: fits }, { text: huge, eventId: '8' }, { text: 'two' }];

    let caught: SegError | undefined;
    await sink.deliver(batch).catch((e: SegError) => (caught = e));
    expect(caught).toMatchObject({ code: 'SEG_ERR_FORMAT', permanent: true });
    expect(caught!.message).toMatch(/2 of 5 lines refused \(line 1: 1002 bytes, over the UDP limit of 1000\)/);

    await listener.waitFor(3);
    expect(listener.messages).toEqual(['one', fits, 'two']);
    expect(listener.datagrams.every((d) => d.length <= 1_000)).toBe(true);
    expect((sink.stats() as SyslogSinkStats).rejected).toBe(2);
    expect(sink.stats().delivered).toBe(3);
    const entry = logger.entries.find((e) => e.msg === 'lines refused by the sink: they can never be sent');
    expect(entry).toMatchObject({
      level: 'error',
      refused: 2,
      lines: [
        { index: 1, eventId: '7', problem: '1002 bytes, over the UDP limit of 1000' },
        { index: 3, eventId: '8', problem: '60018 bytes, over the UDP limit of 1000' },
      ],
    });
    await sink.close(1_000);
    await listener.close();
  });

  it('reports a receiver that is not listening, keeps running, and delivers once it is back', async () => {
    const port = await refusingPort();
    const logger = createMemoryLogger();
    const errors: SegError[] = [];
    const sink = createSyslogSink(udp(port), sinkConfig(), logger, tuning({ queueWaitMs: 30_000 }));
    sink.onError!((e) => errors.push(e));
    // UDP has no handshake: the first datagrams leave and draw ICMP "port unreachable",
    // which the connected socket reports on a later send (or receive).
    for (let i = 0; i < 200 && errors.length === 0; i++) {
      await Promise.race([sink.deliver(lines(i, i + 1)), new Promise((r) => setTimeout(r, 5))]);
    }
    expect(errors[0]).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    expect(errors[0]!.message).toMatch(/ECONNREFUSED/);
    expect(logger.entries.some((e) => e.code === 'ECONNREFUSED' && e.level === 'warn')).toBe(true);

    const listener = await startDatagramListener(port);
    const marker = { text: '<13>1 - - - - - - back' };
    await sink.deliver([marker]);
    await until(() => listener.messages.includes(marker.text), 'the marker datagram');
    await sink.close(1_000);
    await listener.close();
  });
});
