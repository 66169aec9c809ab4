/**
 * The replay window keeps the most recent lines written, bounded by a line count and a
 * character budget, oldest first, always keeping the newest line.
 */
import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../../plugin/sinks/syslog/replay-window.js';

describe('ReplayWindow', () => {
  it('keeps the last N lines in write order across pushes', () => {
    const w = new ReplayWindow(5);
    w.push(['1', '2', '3']);
    w.push(['4', '5', '6', '7']);
    expect(w.lines()).toEqual(['3', '4', '5', '6', '7']);
    w.push(Array.from({ length: 12 }, (_, i) => `n${i}`));
    expect(w.lines()).toEqual(['n7', 'n8', 'n9', 'n10', 'n11']);
    expect(w.length).toBe(5);
  });

  it('drops the oldest lines past the character budget but keeps the newest even if alone it is over', () => {
    const w = new ReplayWindow(100, 10);
    w.push(['aaaa', 'bbbb', 'cccc']);
    expect(w.lines()).toEqual(['bbbb', 'cccc']);
    w.push(['x'.repeat(50)]);
    expect(w.lines()).toEqual(['x'.repeat(50)]);
    w.push(['dd']);
    expect(w.lines()).toEqual(['dd']);
  });

  it('clear empties it; capacity 0 keeps nothing', () => {
    const w = new ReplayWindow(3);
    w.push(['a', 'b']);
    w.clear();
    expect(w.lines()).toEqual([]);
    w.push(['c']);
    expect(w.lines()).toEqual(['c']);
    const none = new ReplayWindow(0);
    none.push(['a']);
    expect(none.lines()).toEqual([]);
  });
});
