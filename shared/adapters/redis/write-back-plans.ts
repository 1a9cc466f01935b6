import type { Redis } from 'ioredis';
import type { CycleSummary } from '../../ports/cycle-ledger.ts';
import type { PendingPlan, WriteBackPlans } from '../../ports/write-back-plans.ts';
import { field, type Keys } from './keys.ts';
import { markWrittenScript, writeBackDoneScript } from './lua/plan-scripts.ts';
import { finishKeysOf } from './lua/lib.ts';
import { summaries } from './state-schemas.ts';
import { list, registerScripts } from './lua/script.ts';
import { parseStored, StoredPlanSchema } from './state-schemas.ts';

/** Plans as JSON in one hash per group; their cycles and written markers in fixed hashes beside. */
export class RedisWriteBackPlans implements WriteBackPlans {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    registerScripts(redis, [markWrittenScript, writeBackDoneScript]);
  }

  async list(group: string): Promise<PendingPlan[]> {
    const all = await this.redis.hgetall(this.k.plans(group));
    const apps = Object.keys(all).sort();
    if (apps.length === 0) return [];
    const written = await this.redis.hmget(this.k.plansWritten, ...apps.map((a) => field(group, a)));
    return apps.map((app, i) => {
      const stored = parseStored<Omit<PendingPlan, 'written'>>(StoredPlanSchema, all[app]!, `plan ${group} ${app}`);
      const [id, ref] = (written[i] ?? '').split(' ');
      return ref && id === stored.id ? { ...stored, written: ref } : stored;
    });
  }

  async markWritten(group: string, app: string, id: string, ref: string): Promise<void> {
    await markWrittenScript.run(
      this.redis,
      { plans: this.k.plans(group), plansWritten: this.k.plansWritten },
      { group, app, id, ref },
    );
  }

  async settle(
    group: string,
    app: string,
    id: string,
    o: { updated: number; errors: number },
  ): Promise<{ acked: boolean; cycles: string[]; finished: CycleSummary[] }> {
    const k = this.k;
    const raw = (await writeBackDoneScript.run(
      this.redis,
      {
        ...finishKeysOf(k),
        plans: k.plans(group),
        planCycles: k.planCycles,
        plansWritten: k.plansWritten,
        planGroups: k.planGroups,
        cycleApps: k.cycleApps,
        failed: k.failed,
      },
      { group, app, id, updated: o.updated, errors: o.errors, now: Date.now(), channel: k.cycleDoneChannel },
    )) as string;
    const out = JSON.parse(raw) as { acked: boolean; cycles: unknown; finished: unknown };
    return { acked: out.acked === true, cycles: list(out.cycles), finished: summaries(out.finished) };
  }
}
