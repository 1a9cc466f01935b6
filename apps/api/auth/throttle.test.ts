import { describe, expect, it } from 'vitest';
import { SignInThrottle } from './throttle.ts';

describe('SignInThrottle', () => {
  it('refuses an address after max failures within the window, until the window has passed', () => {
    let now = 1_000_000;
    const t = new SignInThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterS('10.0.0.1')).toBe(0);
      t.failed('10.0.0.1');
      now += 1_000;
    }
    expect(t.retryAfterS('10.0.0.1')).toBe(57);
    expect(t.retryAfterS('10.0.0.2')).toBe(0); // another address is not held back
    now += 57_000;
    expect(t.retryAfterS('10.0.0.1')).toBe(0);
  });
});
