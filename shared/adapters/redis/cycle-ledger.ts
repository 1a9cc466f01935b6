import type { Redis } from 'ioredis';
import type { TagSnapshot } from '../../domain/model/tags.ts';
import type {
  CheckResult,
  CycleLedger,
  CycleStart,
  CycleStartOptions,
  CycleSummary,
  PollOutcome,
} from '../../ports/cycle-ledger.ts';
import type { Keys } from './keys.ts';
import { CYCLE_FIELDS, finishKeysOf } from './lua/lib.ts';
import { abortCycleScript, startCycleScript } from './lua/cycle-start.ts';
import { pollDoneScript } from './lua/poll-done.ts';
import { selectsDoneScript } from './lua/selects-done.ts';
import { defineScript, list, registerScripts } from './lua/script.ts';
import { summaries } from './state-schemas.ts';

const claimResyncScript = defineScript({
  name: 'claim_full_resync',
  keys: ['last'],
  args: ['now', 'period'],
  body: `
local last = tonumber(redis.call('GET', K_last) or '')
local now = tonumber(A_now)
if not last then redis.call('SET', K_last, now) return 0 end
if now - last < tonumber(A_period) then return 0 end
redis.call('SET', K_last, now)
return 1
`,
});

/** The cycle ledger in Redis: every step one Lua script over the fixed keys of `Keys`. */
export class RedisCycleLedger implements CycleLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly subscriberFactory: () => Redis,
  ) {
    // defined before any (auto-)pipeline of this connection is made, so pipelines can run them
    registerScripts(redis, [startCycleScript, abortCycleScript, pollDoneScript, selectsDoneScript, claimResyncScript]);
  }

  async start(cycleId: string, o: CycleStartOptions): Promise<CycleStart> {
    const k = this.keys;
    const raw = (await startCycleScript.run(
      this.redis,
      {
        ...finishKeysOf(this.keys),
        cycleApps: k.cycleApps,
        cycleRepoApps: k.cycleRepoApps,
        repoWaiters: k.repoWaiters,
        appCycles: k.appCycles,
        idxApps: k.idxApps,
        idxAppRepos: k.idxAppRepos,
        idxRepos: k.idxRepos,
        dirty: k.dirty,
        failed: k.failed,
        snapHashes: k.snapHashes,
        cpStatus: k.cpStatus,
      },
      {
        id: cycleId,
        now: Date.now(),
        scope: o.scope,
        full: o.full ? '1' : '0',
        dryRun: o.dryRun ? '1' : '0',
        trigger: o.trigger,
        channel: k.cycleDoneChannel,
      },
    )) as string;
    const out = JSON.parse(raw) as { polls: unknown; released: unknown; finished?: unknown };
    return { polls: list(out.polls), released: list(out.released), finished: summaries(out.finished) };
  }

  async pollDone(step: string, repoKey: string, snapshot: TagSnapshot | null): Promise<PollOutcome> {
    const out = await this.pollsDone(step, [{ repoKey, snapshot }]);
    return { ...out, changed: out.changed.includes(repoKey) };
  }

  async pollsDone(step: string, polls: readonly { repoKey: string; snapshot: TagSnapshot | null }[]) {
    const k = this.keys;
    const raw = (await pollDoneScript.run(
      this.redis,
      {
        ...finishKeysOf(this.keys),
        snapHashes: k.snapHashes,
        repoWaiters: k.repoWaiters,
        cycleRepoApps: k.cycleRepoApps,
        cycleApps: k.cycleApps,
        appCycles: k.appCycles,
        idxAppRepos: k.idxAppRepos,
      },
      {
        step,
        polls: JSON.stringify(
          polls.map((p) =>
            p.snapshot ? { r: p.repoKey, s: JSON.stringify(p.snapshot), h: p.snapshot.hash } : { r: p.repoKey },
          ),
        ),
        now: Date.now(),
        channel: k.cycleDoneChannel,
      },
      polls.flatMap((p) => [k.snapshot(p.repoKey), k.idxRepoApps(p.repoKey)]),
    )) as string;
    const out = JSON.parse(raw) as { changed: unknown; released: unknown; batches: unknown; finished: unknown };
    return {
      changed: list(out.changed),
      released: list(out.released),
      batches: list(out.batches),
      finished: summaries(out.finished),
    };
  }

  async nextCheckSeq(): Promise<number> {
    return this.redis.incr(this.keys.evalSeq);
  }

  async checksDone(
    step: string,
    seq: number,
    dryRun: boolean,
    results: readonly CheckResult[],
    patches: readonly string[] = [],
  ): Promise<{ batches: string[]; finished: CycleSummary[] }> {
    const k = this.keys;
    const planned = results.filter((r) => r.plan);
    for (let attempt = 0; ; attempt++) {
      const oldGroups = planned.length > 0 ? await this.redis.hmget(k.planGroups, ...planned.map((r) => r.app)) : [];
      const extra: string[] = [];
      const slot = (group: string) => {
        const key = k.plans(group);
        const i = extra.indexOf(key);
        return i >= 0 ? i + 1 : extra.push(key);
      };
      const apps = results.map((r) => {
        const entry: Record<string, unknown> = {
          a: r.app,
          c: [r.considered, r.skipped, r.errors, r.dryUpdates],
          f: r.failed ? 1 : 0,
        };
        if (r.plan) {
          const og = oldGroups[planned.indexOf(r)] ?? '';
          entry.p = {
            k: slot(r.plan.group),
            g: r.plan.group,
            json: r.plan.json,
            ...(r.plan.batch ? { b: r.plan.batch } : {}),
          };
          entry.og = og;
          if (og && og !== r.plan.group) entry.ok = slot(og);
        }
        return entry;
      });
      const raw = (await selectsDoneScript.run(
        this.redis,
        {
          ...finishKeysOf(this.keys),
          results: k.results,
          failed: k.failed,
          appCycles: k.appCycles,
          cycleApps: k.cycleApps,
          idxApps: k.idxApps,
          planCycles: k.planCycles,
          plansWritten: k.plansWritten,
          planGroups: k.planGroups,
        },
        { step, now: Date.now(), seq, channel: k.cycleDoneChannel, payload: JSON.stringify({ dryRun, apps, patches }) },
        extra,
      )) as string;
      const out = JSON.parse(raw) as { retry?: boolean; batches?: unknown; finished?: unknown };
      if (!out.retry) return { batches: list(out.batches), finished: summaries(out.finished) };
      if (attempt >= 10) throw new Error('write-back plan groups kept changing while recording a check');
    }
  }

  async stepResult<T>(step: string): Promise<T | null> {
    const raw = await this.redis.hget(this.keys.steps, step);
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async abort(cycleId: string, o: { errors: number; trigger: string }): Promise<CycleSummary[]> {
    const raw = (await abortCycleScript.run(this.redis, finishKeysOf(this.keys), {
      id: cycleId,
      now: Date.now(),
      errors: o.errors,
      trigger: o.trigger,
      scope: 'changes',
      channel: this.keys.cycleDoneChannel,
    })) as string;
    return summaries((JSON.parse(raw) as { finished: unknown }).finished);
  }

  async get(cycleId: string): Promise<CycleSummary | null> {
    const values = await this.redis.hmget(this.keys.cycles, ...CYCLE_FIELDS.map((f) => `${cycleId}:${f}`));
    const h = Object.fromEntries(CYCLE_FIELDS.map((f, i) => [f, values[i]]));
    if (!h.startedAt) return null;
    if (h.summary) return summaries([h.summary])[0]!;
    const n = (v: string | null | undefined) => Number(v ?? 0);
    return {
      cycleId,
      startedAt: n(h.startedAt),
      pending: n(h.polls) + n(h.apps),
      trigger: h.trigger ?? undefined,
      scope: (h.scope as CycleSummary['scope']) || undefined,
      applications: n(h.applications),
      images_considered: n(h.considered),
      images_skipped: n(h.skipped),
      images_updated: n(h.updated),
      errors: n(h.errors) + n(h.wbErrors) + n(h.cpErrors),
    };
  }

  async claimFullResync(periodMs: number): Promise<boolean> {
    return (
      (await claimResyncScript.run(
        this.redis,
        { last: this.keys.lastFullResync },
        { now: Date.now(), period: periodMs },
      )) === 1
    );
  }

  stale(before: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.cyclesActive, '-inf', before);
  }

  async onFinished(listener: (s: CycleSummary) => void): Promise<{ close(): void }> {
    const sub = this.subscriberFactory();
    sub.on('message', (_channel: string, id: string) => {
      void this.get(id).then(
        (s) => s && listener(s),
        () => undefined,
      );
    });
    await sub.subscribe(this.keys.cycleDoneChannel);
    return { close: () => sub.disconnect() };
  }

  async results(
    apps: readonly string[],
  ): Promise<Map<string, { considered: number; skipped: number; errors: number }>> {
    const out = new Map<string, { considered: number; skipped: number; errors: number }>();
    for (let i = 0; i < apps.length; i += 500) {
      const part = apps.slice(i, i + 500);
      const raws = await this.redis.hmget(this.keys.results, ...part);
      raws.forEach((raw, j) => {
        if (!raw) return;
        const [, considered, skipped, errors] = raw.split(' ').map(Number);
        out.set(part[j]!, { considered: considered ?? 0, skipped: skipped ?? 0, errors: errors ?? 0 });
      });
    }
    return out;
  }

  async waitFor(cycleId: string, timeoutMs: number): Promise<CycleSummary> {
    const sub = this.subscriberFactory();
    try {
      const done = new Promise<void>((resolve) => {
        sub.on('message', (_channel: string, id: string) => id === cycleId && resolve());
      });
      await sub.subscribe(this.keys.cycleDoneChannel);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await this.get(cycleId);
        if (s?.finishedAt) return s;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `cycle ${cycleId} did not finish within ${timeoutMs} ms (${s?.pending ?? '?'} polls and apps pending)`,
          );
        await Promise.race([done, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
      }
    } finally {
      sub.disconnect();
    }
  }
}

/** `<cycle>\n<app>` etc., exported for tests that look inside. */
