import type { Redis } from 'ioredis';
import type { PendingPlan, PlanStore } from '../../ports/plan-store.ts';
import type { Keyspace } from './connection.ts';

// ARGV: plans hash, cycles set, app, plan id. Deletes only the plan that was applied.
const ACK = `
local cur = redis.call('HGET', ARGV[1], ARGV[3])
if cur and cjson.decode(cur).id == ARGV[4] then
  redis.call('HDEL', ARGV[1], ARGV[3])
  local cycles = redis.call('SMEMBERS', ARGV[2])
  redis.call('DEL', ARGV[2])
  return {1, cycles}
end
return {0, {}}`;

const TTL_SECONDS = 7 * 86400;

/** Plans are JSON in one hash per group; the cycles waiting on each app's plan are a set beside it. */
export class RedisPlanStore implements PlanStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
  ) {}

  async put<P>(group: string, pending: PendingPlan<P>): Promise<void> {
    const { cycles, ...rest } = pending;
    const m = this.redis.multi().hset(this.key('plans', group), pending.app, JSON.stringify(rest));
    m.expire(this.key('plans', group), TTL_SECONDS);
    if (cycles.length > 0) m.sadd(this.cyclesKey(group, pending.app), ...cycles).expire(this.cyclesKey(group, pending.app), TTL_SECONDS);
    await m.exec();
  }

  async list<P>(group: string): Promise<PendingPlan<P>[]> {
    const all = await this.redis.hgetall(this.key('plans', group));
    const plans: PendingPlan<P>[] = [];
    for (const [app, raw] of Object.entries(all)) {
      const cycles = await this.redis.smembers(this.cyclesKey(group, app));
      plans.push({ ...(JSON.parse(raw) as Omit<PendingPlan<P>, 'cycles'>), cycles });
    }
    return plans.sort((a, b) => (a.app < b.app ? -1 : 1));
  }

  async ack(group: string, app: string, id: string): Promise<string[] | null> {
    const [ok, cycles] = (await this.redis.eval(ACK, 0, this.key('plans', group), this.cyclesKey(group, app), app, id)) as [number, string[]];
    return ok === 1 ? cycles : null;
  }

  private cyclesKey(group: string, app: string) {
    return this.key('plan-cycles', group, app);
  }
}
