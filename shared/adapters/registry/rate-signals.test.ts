import { describe, expect, it } from 'vitest';
import { rateSignal } from './rate-signals.ts';

const h = (o: Record<string, string>) => new Headers(o);

describe('rateSignal', () => {
  it.each([
    ['429 with Retry-After seconds', 429, { 'retry-after': '7' }, { blockMs: 7000 }],
    ['429 without Retry-After: the default minute', 429, {}, { blockMs: 60_000 }],
    ['429 with only RateLimit-Reset', 429, { 'ratelimit-reset': '12' }, { blockMs: 12_000 }],
    ['503 with Retry-After', 503, { 'retry-after': '3' }, { blockMs: 3000 }],
    [
      'RateLimit-Remaining with its reset',
      200,
      { 'ratelimit-remaining': '10', 'ratelimit-reset': '5' },
      { ratePerSec: 2, windowMs: 5000 },
    ],
    [
      'nothing left: held back until the window passes',
      200,
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
      { blockMs: 30_000 },
    ],
    [
      'Docker Hub remaining with w=',
      200,
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '54;w=21600' },
      { ratePerSec: 54 / 21600, windowMs: 21_600_000 },
    ],
    [
      'Docker Hub window from the limit header',
      200,
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0' },
      { blockMs: 21_600_000 },
    ],
    [
      'combined RateLimit header',
      200,
      { ratelimit: 'limit=100, remaining=25, reset=50' },
      { ratePerSec: 0.5, windowMs: 50_000 },
    ],
  ])('%s', (_name, status, headers, expected) => {
    expect(rateSignal(status, h(headers), 0)).toEqual(expected);
  });

  it.each([
    ['a plain 200', 200, {}],
    ['a 503 without Retry-After (a failure, not throttling)', 503, {}],
    ['remaining without any window', 200, { 'ratelimit-remaining': '5' }],
    ['garbage values', 200, { 'ratelimit-remaining': 'lots', 'ratelimit-reset': 'soon' }],
    ['a negative remaining', 200, { 'ratelimit-remaining': '-1', 'ratelimit-reset': '5' }],
  ])('no signal from %s', (_name, status, headers) => {
    expect(rateSignal(status, h(headers), 0)).toBeNull();
  });

  it('never holds back longer than a day', () => {
    expect(rateSignal(429, h({ 'retry-after': '999999999' }), 0)).toEqual({ blockMs: 24 * 3600_000 });
  });
});
