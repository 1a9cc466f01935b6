import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['5h', 18_000_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['2s', 2000],
    ['1500us', 1.5],
    ['1µs', 0.001],
    ['-1m', -60_000],
    ['.5s', 500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '5', 'h', '5 h', '5d', '1h 30m', '-', 'abc'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });
});
