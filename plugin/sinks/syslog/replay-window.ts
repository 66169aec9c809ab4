/**
 * The last N lines written to the syslog connection, kept for re-sending after a reconnect.
 * A TCP write callback only says the local kernel took the bytes: when the receiver dies,
 * what sat in its receive buffer or in ours is gone and TCP never tells which lines those
 * were. Re-sending the most recent N lines on the new connection turns that loss into at
 * most N duplicates (at-least-once), as long as fewer than N lines were in the kernels'
 * buffers. A ring of string references: it copies no line.
 */
export class ReplayWindow {
  private readonly ring: Array<string | undefined>;
  /** Index of the oldest line. */
  private start = 0;
  private size = 0;
  /** Sum of the retained lines' lengths in UTF-16 units (a cheap stand-in for bytes). */
  private units = 0;

  /**
   * `capacity` lines at most, and at most `maxUnits` UTF-16 units in all (so a window of
   * unusually long lines does not pin much memory); the newest line is always kept.
   */
  constructor(
    readonly capacity: number,
    private readonly maxUnits = Number.POSITIVE_INFINITY,
  ) {
    this.ring = new Array<string | undefined>(Math.max(0, capacity));
  }

  get length(): number {
    return this.size;
  }

  /** Records lines just written, oldest first; older lines fall out once a limit is reached. */
  push(lines: readonly string[]): void {
    const cap = this.capacity;
    if (cap === 0) return;
    for (let i = Math.max(0, lines.length - cap); i < lines.length; i++) {
      if (this.size === cap) this.evictOldest();
      const line = lines[i]!;
      this.ring[(this.start + this.size) % cap] = line;
      this.size++;
      this.units += line.length;
    }
    while (this.size > 1 && this.units > this.maxUnits) this.evictOldest();
  }

  /** The retained lines, oldest first. */
  lines(): string[] {
    const out = new Array<string>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.ring[(this.start + i) % this.capacity]!;
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.size = 0;
    this.units = 0;
  }

  private evictOldest(): void {
    this.units -= this.ring[this.start]!.length;
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.size--;
  }
}
