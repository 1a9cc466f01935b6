import { describe, expect, it } from 'vitest';
import { eachLimit } from './each-limit.ts';

describe('eachLimit', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await eachLimit([...Array(40).keys()], 5, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, i % 3));
      seen.push(i);
      inFlight--;
    });
    expect(peak).toBe(5);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  });

  it('runs the other items when one fails, then throws the first error', async () => {
    const seen: number[] = [];
    const run = eachLimit([1, 2, 3, 4], 2, async (i) => {
      if (i === 2) throw new Error('two');
      seen.push(i);
    });
    await expect(run).rejects.toThrow('two');
    expect(seen).toEqual([1, 3, 4]);
  });

  it('does nothing for no items', async () => {
    await expect(eachLimit([], 4, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});
