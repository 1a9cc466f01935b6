/**
 * Wrong sign-in tokens per client address: past `max` failures within `windowMs`, that address is
 * refused (429 with Retry-After) until the window has passed, even with the right token, so a token
 * cannot be guessed at the speed of the network. In-process: each api replica counts its own.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before `client` may try again, or 0. */
  retryAfterS(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  failed(client: string): void {
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.set(client, recent);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(client: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(client) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(client);
    return kept;
  }
}
