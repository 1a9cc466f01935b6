import type { Redis } from 'ioredis';
import type { PendingPlan, PlanStore } from '../../ports/plan-store.ts';
import type { Keyspace } from './connection.ts';

// ARGV: plans hash, cycles set, written hash, app, plan id. Deletes only the plan that was applied.
const ACK = `
local cur = redis.call('HGET', ARGV[1], ARGV[4])
if cur and cjson.decode(cur).id == ARGV[5] then
  redis.call('HDEL', ARGV[1], ARGV[4])
  redis.call('HDEL', ARGV[3], ARGV[4])
  local cycles = redis.call('SMEMBERS', ARGV[2])
  redis.call('DEL', ARGV[2])
  return {1, cycles}
end
return {0, {}}`;

// ARGV: plans hash, written hash, app, plan id, ref, ttl. Marks the plan only while it is current.
const MARK = `
local cur = redis.call('HGET', ARGV[1], ARGV[3])
if cur and cjson.decode(cur).id == ARGV[4] then
  redis.call('HSET', ARGV[2], ARGV[3], ARGV[4] .. ' ' .. ARGV[5])
  redis.call('EXPIRE', ARGV[2], tonumber(ARGV[6]))
end
return 0`;

const TTL_SECONDS = 7 * 86400;

/** Plans are JSON in one hash per group; the cycles waiting on each app's plan are a set beside it. */
export class RedisPlanStore implements PlanStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
  ) {}

  async put<P>(group: string, pending: PendingPlan<P>): Promise<void> {
    const { cycles, written, ...rest } = pending;
    void written; // only ever set by markWritten
    const m = this.redis.multi().hset(this.key('plans', group), pending.app, JSON.stringify(rest));
    m.expire(this.key('plans', group), TTL_SECONDS);
    if (cycles.length > 0) m.sadd(this.cyclesKey(group, pending.app), ...cycles).expire(this.cyclesKey(group, pending.app), TTL_SECONDS);
    await m.exec();
  }

  async list<P>(group: string): Promise<PendingPlan<P>[]> {
    const all = await this.redis.hgetall(this.key('plans', group));
    const written = await this.redis.hgetall(this.key('plans-written', group));
    const plans: PendingPlan<P>[] = [];
    for (const [app, raw] of Object.entries(all)) {
      const cycles = await this.redis.smembers(this.cyclesKey(group, app));
      const plan = { ...(JSON.parse(raw) as Omit<PendingPlan<P>, 'cycles'>), cycles };
      const [id, ref] = (written[app] ?? '').split(' ');
      plans.push(ref && id === plan.id ? { ...plan, written: ref } : plan);
    }
    return plans.sort((a, b) => (a.app < b.app ? -1 : 1));
  }

  async markWritten(group: string, app: string, id: string, ref: string): Promise<void> {
    await this.redis.eval(MARK, 0, this.key('plans', group), this.key('plans-written', group), app, id, ref, TTL_SECONDS);
  }

  async ack(group: string, app: string, id: string): Promise<string[] | null> {
    const [ok, cycles] = (await this.redis.eval(ACK, 0, this.key('plans', group), this.cyclesKey(group, app), this.key('plans-written', group), app, id)) as [number, string[]];
    return ok === 1 ? cycles : null;
  }

  private cyclesKey(group: string, app: string) {
    return this.key('plan-cycles', group, app);
  }
}
