/**
 * Keeps a down SIEM from flooding the operator's log: a warning with a given key (an error
 * code) is written when the key changes or when `everyMs` passed since it was last written;
 * repeats in between go to `debug`, and the next written entry says how many were folded in.
 */
import type { Logger, LogLevel } from '../../core/log.js';

export class ThrottledLog {
  private lastKey: string | undefined;
  private lastAt = 0;
  private folded = 0;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  log(level: LogLevel, key: string, msg: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (key === this.lastKey && now - this.lastAt < this.everyMs) {
      this.folded++;
      this.logger.log('debug', msg, fields);
      return;
    }
    const repeats = this.folded;
    this.lastKey = key;
    this.lastAt = now;
    this.folded = 0;
    this.logger.log(level, msg, repeats > 0 ? { ...fields, repeatsSinceLastLog: repeats } : fields);
  }

  /** Forgets the last key: the next entry is always written (after a recovery). */
  reset(): void {
    this.lastKey = undefined;
    this.folded = 0;
  }
}
