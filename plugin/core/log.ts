/**
 * Diagnostics for operators, as one JSON object per line on a chosen stream (stderr by
 * default, `--errors FILE` for Fluentd, which discards the child's stderr). Never stdout:
 * stdout carries data.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  /** Flushes and closes a file destination. */
  close(): Promise<void>;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** `dest`: '-' or undefined = stderr, otherwise a file path opened for append. */
export function createLogger(dest: string | undefined, minLevel: LogLevel = 'info'): Logger {
  const stream: NodeJS.WritableStream | WriteStream =
    dest === undefined || dest === '-' ? process.stderr : createWriteStream(dest, { flags: 'a' });
  const threshold = LEVELS[minLevel];
  return {
    log(level, msg, fields) {
      if (LEVELS[level] > threshold) return;
      const entry = { time: new Date().toISOString(), level, msg, ...fields };
      stream.write(JSON.stringify(entry) + '\n');
    },
    close() {
      if (stream === process.stderr) return Promise.resolve();
      return new Promise((resolve) => (stream as WriteStream).end(resolve));
    },
  };
}

/** A logger that records entries in memory (tests, benches). */
export function createMemoryLogger(): Logger & { entries: Array<Record<string, unknown>> } {
  const entries: Array<Record<string, unknown>> = [];
  return {
    entries,
    log(level, msg, fields) {
      entries.push({ level, msg, ...fields });
    },
    close: () => Promise.resolve(),
  };
}
