/**
 * `--webhook-ratelimit-allowed`: at most `allowed` accepted webhooks in any hour, per process (as the
 * anchor's limiter, which is per process too). Only authenticated requests count, so a stranger's
 * requests cannot use up a registry's allowance. The anchor makes the request wait; tagflow answers
 * 429 at once (registries retry), so no request is held open for minutes.
 */
export interface RateLimiter {
  take(): boolean;
  /** ms until the next request would be allowed (0: now). */
  retryAfterMs(): number;
}

const HOUR = 3_600_000;

export function hourlyLimiter(allowed: number, now: () => number = Date.now): RateLimiter | undefined {
  if (allowed <= 0) return undefined;
  const times: number[] = [];
  const prune = (t: number) => {
    while (times.length > 0 && times[0]! <= t - HOUR) times.shift();
  };
  return {
    take() {
      const t = now();
      prune(t);
      if (times.length >= allowed) return false;
      times.push(t);
      return true;
    },
    retryAfterMs() {
      const t = now();
      prune(t);
      return times.length < allowed ? 0 : times[0]! + HOUR - t;
    },
  };
}
