import type { Redis } from 'ioredis';
import type { IndexEntry, PollTarget } from '../../domain/fleet/index-entry.ts';
import type { ControlPlaneStatus, CorruptEntry, FleetIndex, IndexUpdate } from '../../ports/fleet-index.ts';
import type { Keys } from './keys.ts';
import { forgetAppScript } from './lua/index-scripts.ts';
import { registerScripts } from './lua/script.ts';
import { IndexEntrySchema, parseStored, PollTargetSchema } from './state-schemas.ts';

const CHUNK = 500;
const SEP = '\n';

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The fleet index in Redis: entries, hashes and app → repositories in fixed hashes, repository →
 * apps as one set per repository, poll targets in one hash. Written by the one watcher holding a
 * control plane's lease; read by cycles and checks.
 */
export class RedisFleetIndex implements FleetIndex {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    registerScripts(redis, [forgetAppScript]);
  }

  async sync(
    cp: string,
    updates: readonly IndexUpdate[],
    o: { full: boolean; removed?: readonly string[]; keep?: readonly string[] },
  ): Promise<{ changed: string[]; removed: string[] }> {
    const k = this.k;
    const given = new Set([...updates.map((u) => u.entry.key), ...(o.keep ?? [])]);
    const changedUpdates: IndexUpdate[] = [];
    for (const part of chunks(updates)) {
      const hashes = await this.redis.hmget(k.idxHashes, ...part.map((u) => u.entry.key));
      part.forEach((u, i) => hashes[i] !== u.entry.hash && changedUpdates.push(u));
    }
    let removed = [...(o.removed ?? [])].filter((a) => !given.has(a));
    if (o.full) {
      const known = await this.redis.smembers(k.idxCpApps(cp));
      removed = [...new Set([...removed, ...known.filter((a) => !given.has(a))])];
    }
    for (const part of chunks(changedUpdates)) {
      const previous = await this.redis.hmget(k.idxAppRepos, ...part.map((u) => u.entry.key));
      const m = this.redis.multi();
      const emptied = new Set<string>();
      const written = new Set<string>(); // a repository's target once per slice, however many apps use it
      part.forEach((u, i) => {
        const app = u.entry.key;
        const repos = [...new Set(u.entry.tracked.map((t) => t.repoKey))];
        const before = (previous[i] ?? '').split(SEP).filter(Boolean);
        m.hset(k.idxEntries, app, JSON.stringify(u.entry));
        m.hset(k.idxHashes, app, u.entry.hash);
        if (repos.length > 0) m.hset(k.idxAppRepos, app, repos.join(SEP));
        else m.hdel(k.idxAppRepos, app);
        m.sadd(k.idxApps, app).sadd(k.idxCpApps(cp), app).sadd(k.dirty, app);
        for (const r of before) {
          if (repos.includes(r)) continue;
          m.srem(k.idxRepoApps(r), app);
          emptied.add(r);
        }
        for (const t of u.targets) {
          m.sadd(k.idxRepoApps(t.repoKey), app);
          if (written.has(t.repoKey)) continue;
          written.add(t.repoKey);
          m.hset(k.idxRepos, t.repoKey, JSON.stringify({ ...t, metadata: false }));
        }
        for (const t of u.targets) if (t.metadata) m.hset(k.idxRepoMeta, t.repoKey, '1');
      });
      await m.exec();
      await this.dropUnused([...emptied]);
    }
    for (const part of chunks(removed)) {
      const previous = await this.redis.hmget(k.idxAppRepos, ...part);
      const p = this.redis.pipeline();
      for (const app of part) forgetAppScript.queue(p, this.forgetKeys(cp), { app }, []);
      await p.exec();
      const m = this.redis.multi();
      const emptied = new Set<string>();
      part.forEach((app, i) => {
        for (const r of (previous[i] ?? '').split(SEP).filter(Boolean)) {
          m.srem(k.idxRepoApps(r), app);
          emptied.add(r);
        }
      });
      await m.exec();
      await this.dropUnused([...emptied]);
    }
    return { changed: changedUpdates.map((u) => u.entry.key), removed };
  }

  private forgetKeys(cp: string) {
    const k = this.k;
    return {
      results: k.results,
      totals: k.totals,
      failed: k.failed,
      dirty: k.dirty,
      idxApps: k.idxApps,
      cpApps: k.idxCpApps(cp),
      idxEntries: k.idxEntries,
      idxHashes: k.idxHashes,
      idxAppRepos: k.idxAppRepos,
    };
  }

  /** Repositories no app uses any more are no longer polled. */
  private async dropUnused(repos: readonly string[]) {
    if (repos.length === 0) return;
    const k = this.k;
    const p = this.redis.pipeline();
    for (const r of repos) p.scard(k.idxRepoApps(r));
    const counts = (await p.exec()) ?? [];
    const unused = repos.filter((_, i) => Number(counts[i]?.[1] ?? 0) === 0);
    if (unused.length > 0)
      await this.redis
        .multi()
        .hdel(k.idxRepos, ...unused)
        .hdel(k.idxRepoMeta, ...unused)
        .exec();
  }

  async getMany(keys: readonly string[]): Promise<Map<string, IndexEntry | CorruptEntry>> {
    const out = new Map<string, IndexEntry | CorruptEntry>();
    for (const part of chunks(keys)) {
      const raws = await this.redis.hmget(this.k.idxEntries, ...part);
      raws.forEach((raw, i) => {
        if (!raw) return;
        const key = part[i]!;
        try {
          out.set(key, parseStored<IndexEntry>(IndexEntrySchema, raw, `index entry ${key}`));
        } catch (e) {
          out.set(key, { key, corrupt: (e as Error).message });
        }
      });
    }
    return out;
  }

  async targets(repoKeys: readonly string[]): Promise<Map<string, PollTarget>> {
    const out = new Map<string, PollTarget>();
    for (const part of chunks(repoKeys)) {
      const [raws, meta] = await Promise.all([
        this.redis.hmget(this.k.idxRepos, ...part),
        this.redis.hmget(this.k.idxRepoMeta, ...part),
      ]);
      raws.forEach((raw, i) => {
        if (!raw) return;
        const t = parseStored<PollTarget>(PollTargetSchema, raw, `poll target ${part[i]}`);
        out.set(part[i]!, meta[i] ? { ...t, metadata: true } : t);
      });
    }
    return out;
  }

  appsForRepo(repoKey: string): Promise<string[]> {
    return this.redis.smembers(this.k.idxRepoApps(repoKey));
  }

  keys(cp?: string): Promise<string[]> {
    return this.redis.smembers(cp === undefined ? this.k.idxApps : this.k.idxCpApps(cp));
  }

  count(): Promise<number> {
    return this.redis.scard(this.k.idxApps);
  }

  async markDirty(keys: readonly string[]): Promise<void> {
    for (const part of chunks(keys)) await this.redis.sadd(this.k.dirty, ...part);
  }

  async setStatus(cp: string, status: ControlPlaneStatus): Promise<void> {
    await this.redis.hset(this.k.cpStatus, cp, JSON.stringify(status));
  }

  async statuses(): Promise<Map<string, ControlPlaneStatus>> {
    const all = await this.redis.hgetall(this.k.cpStatus);
    return new Map(Object.entries(all).map(([cp, raw]) => [cp, JSON.parse(raw) as ControlPlaneStatus]));
  }
}
