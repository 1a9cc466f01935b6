/**
 * Registry request budgets kept in Redis (see lua/budget-scripts.ts), one gate per registry per
 * process. A limited registry's requests take tokens from the shared bucket: the waiting requests
 * of a process are served by one loop that asks for as many tokens as it has waiters, so a process
 * makes at most one budget call per grant. An unlimited registry costs nothing per request: the
 * process reports its count and reads the registry's signals once a second, and goes through the
 * bucket only while the registry has asked to slow down. A job that would wait long, or that finds
 * enough of its registry's jobs already waiting in this process, steps aside (a RateLimitedError
 * with code `registry.budget`: the job is delayed without spending an attempt), so a throttled
 * registry never holds the worker slots other registries' jobs need.
 */
import type { Redis } from 'ioredis';
import { RateLimitedError, TransientError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { BudgetSpec, BudgetState, RequestBudgets, RequestGate } from '../../ports/request-budget.ts';
import { rateSignal } from '../registry/rate-signals.ts';
import type { Keys } from './keys.ts';
import { signalBudgetScript, takeBudgetScript } from './lua/budget-scripts.ts';

export interface BudgetOptions {
  /** This process's identity. */
  owner: string;
  log: Logger;
  /** A job waits in place for a token at most this long; longer, it steps aside. */
  maxWaitMs?: number;
  /** Jobs of one registry waiting in place at once in this process; the others step aside. */
  maxWaitingJobs?: number;
  /** How often an unlimited registry's count is reported and its signals read. */
  syncMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
  job?: string;
}

type Take = [granted: number, waitMs: number, tokensMilli: number, capMilli: number, capForMs: number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class RedisGate implements RequestGate {
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  /** What this process knows of the registry's signals. */
  private blockedUntil = 0;
  private cappedUntil = 0;
  private syncedAt = 0;
  private syncing: Promise<void> | null = null;
  private unreported = 0;
  /** Jobs told to step aside, until when. */
  private readonly deferred = new Map<string, number>();

  constructor(
    private readonly spec: BudgetSpec,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly o: Required<Omit<BudgetOptions, 'log'>> & { log: Logger },
  ) {}

  async acquire(job?: string): Promise<() => void> {
    if (this.inFlight < this.spec.maxInFlight) this.inFlight++;
    else await new Promise<void>((r) => this.slotWaiters.push(r)); // the slot is handed over, already counted
    try {
      await this.token(job);
    } catch (e) {
      this.release();
      throw e;
    }
    let released = false;
    return () => {
      if (!released) ((released = true), this.release());
    };
  }

  observe(status: number, headers: { get(name: string): string | null }): void {
    const signal = rateSignal(status, headers);
    if (!signal) return;
    const now = Date.now();
    if (signal.blockMs) this.blockedUntil = Math.max(this.blockedUntil, now + signal.blockMs);
    if (signal.ratePerSec !== undefined && (!this.spec.ratePerSec || signal.ratePerSec < this.spec.ratePerSec))
      this.cappedUntil = now + (signal.windowMs ?? 0);
    else if (!signal.blockMs) return; // a remaining quota above the configured rate changes nothing
    this.o.log.debug({ registry: this.spec.key, ...signal }, 'registry asked to slow down');
    signalBudgetScript
      .run(this.redis, this.bucketKeys(), {
        registry: this.spec.key,
        blockMs: signal.blockMs ?? 0,
        capRate: signal.ratePerSec ?? 0,
        windowMs: signal.windowMs ?? 0,
      })
      .catch((e) => this.o.log.warn({ registry: this.spec.key, err: String(e) }, 'could not record a rate signal'));
  }

  private release(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async token(job: string | undefined): Promise<void> {
    const now = Date.now();
    const until = job ? this.deferred.get(job) : undefined;
    if (until !== undefined) {
      if (until > now) throw this.stepAside(job!, until - now);
      this.deferred.delete(job!);
    }
    if (!this.spec.ratePerSec && this.blockedUntil <= now && this.cappedUntil <= now) {
      this.unreported++;
      if (now - this.syncedAt >= this.o.syncMs) await this.sync();
      if (this.blockedUntil <= Date.now() && this.cappedUntil <= Date.now()) return;
    }
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject, ...(job ? { job } : {}) });
      void this.pump();
    });
  }

  /** Reports an unlimited registry's requests and reads its signals (one call at a time). */
  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const want = this.unreported;
        this.unreported = 0;
        this.apply(await this.take(want), Date.now());
      } catch (e) {
        this.o.log.warn({ registry: this.spec.key, err: String(e) }, 'could not read the registry budget');
      } finally {
        this.syncedAt = Date.now();
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private apply(r: Take, now: number): void {
    if (r[0] === 0 && r[1] > 0 && r[2] < 0) this.blockedUntil = Math.max(this.blockedUntil, now + r[1]);
    if (r[4] > 0) this.cappedUntil = now + r[4];
  }

  private take(want: number): Promise<Take> {
    const now = Date.now();
    for (const [job, until] of this.deferred) if (until <= now) this.deferred.delete(job);
    const waitingJobs = new Set(this.waiters.flatMap((w) => (w.job && !this.deferred.has(w.job) ? [w.job] : [])));
    const waitingUntil = Math.max(now + 5000, ...this.deferred.values());
    return takeBudgetScript.run(
      this.redis,
      {
        bucket: this.keys.budget(this.spec.key),
        waiting: this.keys.budgetWaiting(this.spec.key),
        registries: this.keys.budgets,
      },
      {
        registry: this.spec.key,
        rate: this.spec.ratePerSec ?? 0,
        want,
        owner: this.o.owner,
        waitingJobs: waitingJobs.size,
        deferredJobs: this.deferred.size,
        waitingUntil,
      },
    ) as Promise<Take>;
  }

  /** Serves the waiting requests of this process: one budget call per grant. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const r = await this.take(this.waiters.length);
        const now = Date.now();
        this.apply(r, now);
        for (const w of this.waiters.splice(0, r[0])) w.resolve();
        if (this.waiters.length === 0 || r[1] <= 0) continue;
        const allowed = new Set<string>();
        for (const w of this.waiters) if (w.job && allowed.size < this.o.maxWaitingJobs) allowed.add(w.job);
        const rate = (r[3] > 0 ? r[3] / 1000 : this.spec.ratePerSec) || 1;
        const staying: Waiter[] = [];
        const ranks = new Map<string, number>();
        for (const w of this.waiters) {
          if (w.job && (r[1] > this.o.maxWaitMs || !allowed.has(w.job))) {
            // back after the jobs ahead of it had a turn each (a guess: a request per job per turn)
            if (!ranks.has(w.job)) ranks.set(w.job, ranks.size + allowed.size);
            const ahead = Math.ceil((ranks.get(w.job)! / rate) * 1000);
            w.reject(this.stepAside(w.job, Math.max(250, r[1] + ahead) + Math.floor(Math.random() * 200)));
          } else staying.push(w);
        }
        this.waiters.splice(0, this.waiters.length, ...staying);
        if (staying.length > 0) await sleep(Math.min(r[1], this.o.maxWaitMs));
      }
    } catch (e) {
      const err = new TransientError(
        'registry.budget-unavailable',
        `registry budget of ${this.spec.key}: ${String(e)}`,
      );
      for (const w of this.waiters.splice(0)) w.reject(err);
    } finally {
      this.pumping = false;
    }
  }

  private stepAside(job: string, ms: number): RateLimitedError {
    const until = Date.now() + ms;
    if ((this.deferred.get(job) ?? 0) < until) this.deferred.set(job, until);
    const rate = this.spec.ratePerSec ? `${this.spec.ratePerSec}/s` : 'as the registry asked';
    return new RateLimitedError(
      'registry.budget',
      `waiting for the request budget of ${this.spec.key} (${rate}); resuming in ${ms} ms`,
      ms,
    );
  }

  private bucketKeys() {
    return { bucket: this.keys.budget(this.spec.key), registries: this.keys.budgets };
  }
}

export class RedisRequestBudgets implements RequestBudgets {
  private readonly gates = new Map<string, RedisGate>();
  private readonly o: Required<Omit<BudgetOptions, 'log'>> & { log: Logger };

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    options: BudgetOptions,
  ) {
    this.o = { maxWaitMs: 2000, maxWaitingJobs: 2, syncMs: 1000, ...options };
  }

  gate(spec: BudgetSpec): RequestGate {
    const id = `${spec.key}\n${spec.ratePerSec ?? 0}\n${spec.maxInFlight}`;
    let g = this.gates.get(id);
    if (!g) ((g = new RedisGate(spec, this.redis, this.keys, this.o)), this.gates.set(id, g));
    return g;
  }

  async states(): Promise<BudgetState[]> {
    const [registries, time] = await Promise.all([this.redis.smembers(this.keys.budgets), this.redis.time()]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const out: BudgetState[] = [];
    for (const key of registries.sort()) {
      const [h, waiting] = await Promise.all([
        this.redis.hgetall(this.keys.budget(key)),
        this.redis.hgetall(this.keys.budgetWaiting(key)),
      ]);
      if (Object.keys(h).length === 0) continue;
      out.push(stateOf(key, h, waiting, now));
    }
    return out;
  }
}

function stateOf(key: string, h: Record<string, string>, waiting: Record<string, string>, now: number): BudgetState {
  const num = (v: string | undefined) => (v === undefined || v === '' ? 0 : Number(v));
  const rate = num(h.rate);
  const capActive = num(h.capUntil) > now && num(h.capRate) > 0 && (rate === 0 || num(h.capRate) < rate);
  const effective = capActive ? num(h.capRate) : rate;
  const burst = Math.max(1, Math.floor(effective / 20));
  const tokens =
    effective > 0 && h.tokens !== undefined
      ? Math.min(burst, num(h.tokens) + (Math.max(0, now - num(h.ts)) * effective) / 1000)
      : null;
  const sec = Math.floor(now / 1000);
  const currentRate = num(h.win) === sec ? num(h.lastCount) : num(h.win) === sec - 1 ? num(h.winCount) : 0;
  let waitingJobs = 0;
  for (const v of Object.values(waiting)) {
    const [count, until] = v.split(':').map(Number);
    if ((until ?? 0) > now) waitingJobs += count ?? 0;
  }
  return {
    key,
    configuredRate: rate > 0 ? rate : null,
    currentRate,
    tokens: tokens === null ? null : Math.floor(tokens * 100) / 100,
    blockedForMs: Math.max(0, num(h.blockedUntil) - now),
    signalledRate: capActive ? num(h.capRate) : null,
    signalledForMs: capActive ? num(h.capUntil) - now : 0,
    waitingJobs,
  };
}
