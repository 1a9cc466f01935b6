import type { Redis } from 'ioredis';
import type { CycleCounters, CycleSummary, CycleTracker } from '../../ports/cycle-tracker.ts';
import type { Keyspace } from './connection.ts';

const TTL_SECONDS = 2 * 86400;
const COUNTERS: (keyof CycleCounters)[] = ['applications', 'images_considered', 'images_skipped', 'images_updated', 'errors'];

// KEYS: none. ARGV: prefix, repoKey, ttl. Drains the cycles waiting on a repository and returns,
// flattened as app, cycle pairs, the apps whose last awaited repository this was.
const REPO_POLLED = `
local p, repo, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local wkey = p .. ':repo-waiters:' .. repo
local cycles = redis.call('SMEMBERS', wkey)
redis.call('DEL', wkey)
local out = {}
for _, c in ipairs(cycles) do
  local rkey = p .. ':cycle:' .. c .. ':repo:' .. repo
  local apps = redis.call('SMEMBERS', rkey)
  redis.call('DEL', rkey)
  for _, a in ipairs(apps) do
    local left = redis.call('HINCRBY', p .. ':cycle:' .. c .. ':wait', a, -1)
    if left <= 0 then
      redis.call('HDEL', p .. ':cycle:' .. c .. ':wait', a)
      local akey = p .. ':app-waiters:' .. a
      redis.call('SADD', akey, c)
      redis.call('EXPIRE', akey, ttl)
      table.insert(out, a)
      table.insert(out, c)
    end
  end
end
return out`;

// ARGV: prefix, now, n, then n cycle ids, then counter name/value pairs. Returns completed cycle ids.
const APP_DONE = `
local p, now, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local done = {}
for i = 1, n do
  local key = p .. ':cycle:' .. ARGV[3 + i]
  if redis.call('EXISTS', key) == 1 then
    for j = 4 + n, #ARGV, 2 do redis.call('HINCRBY', key, ARGV[j], tonumber(ARGV[j + 1])) end
    if redis.call('HINCRBY', key, 'pending', -1) == 0 then
      redis.call('HSET', key, 'finishedAt', now)
      table.insert(done, ARGV[3 + i])
    end
  end
end
return done`;

// ARGV: prefix, ttl, batch ('' = none), n, then n cycle ids. Counts the app as selected in each
// cycle, parks the batch on the cycle, and returns the batches of cycles whose last app this was.
const SELECTED = `
local p, ttl, batch, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local out = {}
if n == 0 and batch ~= '' then table.insert(out, batch) end
for i = 1, n do
  local key = p .. ':cycle:' .. ARGV[4 + i]
  local bkey = key .. ':batches'
  if redis.call('EXISTS', key) == 0 then
    if batch ~= '' then table.insert(out, batch) end
  else
    if batch ~= '' then
      redis.call('SADD', bkey, batch)
      redis.call('EXPIRE', bkey, ttl)
    end
    if redis.call('HINCRBY', key, 'selecting', -1) <= 0 then
      for _, b in ipairs(redis.call('SMEMBERS', bkey)) do table.insert(out, b) end
      redis.call('DEL', bkey)
    end
  end
end
return out`;

export class RedisCycleTracker implements CycleTracker {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
    private readonly subscriberFactory: () => Redis,
  ) {}

  async start(cycleId: string, apps: readonly { app: string; repos: readonly string[] }[]): Promise<string[]> {
    const ready: string[] = [];
    const m = this.redis.multi();
    const ckey = this.key('cycle', cycleId);
    m.hset(ckey, { startedAt: Date.now(), pending: apps.length, selecting: apps.length, ...Object.fromEntries(COUNTERS.map((c) => [c, 0])) });
    m.hset(ckey, 'applications', apps.length);
    m.expire(ckey, TTL_SECONDS);
    for (const { app, repos } of apps) {
      const unique = [...new Set(repos)];
      if (unique.length === 0) {
        ready.push(app);
        m.sadd(this.key('app-waiters', app), cycleId).expire(this.key('app-waiters', app), TTL_SECONDS);
        continue;
      }
      m.hset(this.key('cycle', cycleId, 'wait'), app, unique.length).expire(this.key('cycle', cycleId, 'wait'), TTL_SECONDS);
      for (const repo of unique) {
        m.sadd(this.key('cycle', cycleId, 'repo', repo), app).expire(this.key('cycle', cycleId, 'repo', repo), TTL_SECONDS);
        m.sadd(this.key('repo-waiters', repo), cycleId).expire(this.key('repo-waiters', repo), TTL_SECONDS);
      }
    }
    await m.exec();
    if (apps.length === 0) await this.finishEmpty(cycleId);
    return ready;
  }

  async repoPolled(repoKey: string): Promise<{ app: string; cycles: string[] }[]> {
    const flat = (await this.redis.eval(REPO_POLLED, 0, this.key(), repoKey, TTL_SECONDS)) as string[];
    const byApp = new Map<string, string[]>();
    for (let i = 0; i < flat.length; i += 2) {
      const list = byApp.get(flat[i]!) ?? [];
      list.push(flat[i + 1]!);
      byApp.set(flat[i]!, list);
    }
    return [...byApp].map(([app, cycles]) => ({ app, cycles }));
  }

  async takeAppWaiters(app: string): Promise<string[]> {
    const key = this.key('app-waiters', app);
    const [[, members]] = (await this.redis.multi().smembers(key).del(key).exec()) as [[unknown, string[]], unknown];
    return members;
  }

  async selected(cycles: readonly string[], batch?: string): Promise<string[]> {
    const out = (await this.redis.eval(SELECTED, 0, this.key(), TTL_SECONDS, batch ?? '', cycles.length, ...cycles)) as string[];
    return [...new Set(out)];
  }

  async add(cycles: readonly string[], counters: Partial<CycleCounters>): Promise<void> {
    if (cycles.length === 0) return;
    const m = this.redis.multi();
    for (const c of cycles) for (const [k, v] of Object.entries(counters)) if (v) m.hincrby(this.key('cycle', c), k, v);
    await m.exec();
  }

  async appDone(cycles: readonly string[], counters: Partial<CycleCounters>): Promise<CycleSummary[]> {
    if (cycles.length === 0) return [];
    const pairs = Object.entries(counters).filter(([, v]) => v).flatMap(([k, v]) => [k, String(v)]);
    const done = (await this.redis.eval(APP_DONE, 0, this.key(), Date.now(), cycles.length, ...cycles, ...pairs)) as string[];
    const summaries: CycleSummary[] = [];
    for (const id of done) {
      await this.redis.publish(this.key('cycle-done'), id);
      const s = await this.get(id);
      if (s) summaries.push(s);
    }
    return summaries;
  }

  async abort(cycleId: string, counters: Partial<CycleCounters>): Promise<CycleSummary> {
    const ckey = this.key('cycle', cycleId);
    const m = this.redis.multi().hsetnx(ckey, 'startedAt', Date.now());
    for (const c of COUNTERS) m.hsetnx(ckey, c, 0);
    for (const [k, v] of Object.entries(counters)) if (v) m.hincrby(ckey, k, v);
    await m.hset(ckey, 'pending', 0, 'finishedAt', Date.now()).expire(ckey, TTL_SECONDS).exec();
    await this.redis.publish(this.key('cycle-done'), cycleId);
    return (await this.get(cycleId))!;
  }

  async get(cycleId: string): Promise<CycleSummary | null> {
    const h = await this.redis.hgetall(this.key('cycle', cycleId));
    if (!h.startedAt) return null;
    const num = (k: string) => Number(h[k] ?? 0);
    return {
      cycleId,
      startedAt: num('startedAt'),
      finishedAt: h.finishedAt ? num('finishedAt') : undefined,
      pending: num('pending'),
      applications: num('applications'),
      images_considered: num('images_considered'),
      images_skipped: num('images_skipped'),
      images_updated: num('images_updated'),
      errors: num('errors'),
    };
  }

  async waitFor(cycleId: string, timeoutMs: number): Promise<CycleSummary> {
    const sub = this.subscriberFactory();
    try {
      const done = new Promise<void>((resolve) => {
        sub.on('message', (_channel: string, id: string) => id === cycleId && resolve());
      });
      await sub.subscribe(this.key('cycle-done'));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await this.get(cycleId);
        if (s?.finishedAt) return s;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`cycle ${cycleId} did not finish within ${timeoutMs} ms (${s?.pending ?? '?'} apps pending)`);
        await Promise.race([done, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
      }
    } finally {
      sub.disconnect();
    }
  }

  private async finishEmpty(cycleId: string) {
    await this.redis.hset(this.key('cycle', cycleId), 'finishedAt', Date.now());
    await this.redis.publish(this.key('cycle-done'), cycleId);
  }
}
