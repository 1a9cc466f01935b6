import type { ChainableCommander, Redis } from 'ioredis';
import {
  interestKey,
  MAX_METADATA_INTERESTS,
  type IndexEntry,
  type MetadataInterest,
  type PollTarget,
} from '../../domain/fleet/index-entry.ts';
import type { ControlPlaneStatus, CorruptEntry, FleetIndex, IndexUpdate } from '../../ports/fleet-index.ts';
import type { Keys } from './keys.ts';
import { forgetAppScript } from './lua/index-scripts.ts';
import { defineScript, registerScripts } from './lua/script.ts';
import { IndexEntrySchema, MetadataInterestsSchema, parseStored, PollTargetSchema } from './state-schemas.ts';

const CHUNK = 500;
const SEP = '\n';
/** A repository's (or one app's) metadata interest that matches every tag. */
const EVERY_TAG = '*';

/**
 * The metadata interests of a repository, merged from its apps' own (fields `<repo>\n<app>` of
 * repo-meta: a JSON list of interest keys, or `*`) into field `<repo>`: the distinct keys sorted,
 * `*` when one app wants every tag or there are more than `max`, absent when no app wants metadata.
 * Run after the apps' fields and the repository's apps changed; atomic, so the last run of
 * concurrent writers (control plane watchers sharing a repository) sees every write.
 */
const mergeInterestsScript = defineScript({
  name: 'index_merge_interests',
  keys: ['repoApps', 'repoMeta'],
  args: ['repo', 'max'],
  body: `
local apps = redis.call('SMEMBERS', K_repoApps)
local seen, list, all = {}, {}, false
local max = tonumber(A_max)
for _, a in ipairs(apps) do
  local v = redis.call('HGET', K_repoMeta, A_repo .. '\\n' .. a)
  if v then
    local ok, items = pcall(cjson.decode, v)
    if v == '${EVERY_TAG}' or not ok or type(items) ~= 'table' then all = true break end
    for _, key in ipairs(items) do
      if type(key) ~= 'string' or key == '{}' then all = true break end
      if not seen[key] then seen[key] = true; list[#list + 1] = key end
    end
    if all or #list > max then all = true break end
  end
end
if all then
  redis.call('HSET', K_repoMeta, A_repo, '${EVERY_TAG}')
elseif #list == 0 then
  redis.call('HDEL', K_repoMeta, A_repo)
else
  table.sort(list)
  redis.call('HSET', K_repoMeta, A_repo, cjson.encode(list))
end
return #list
`,
});

/** What one app asks of a repository's metadata (null: nothing). */
function ownInterests(t: PollTarget): string | null {
  if (!t.metadata) return null;
  return t.interests ? JSON.stringify(t.interests.map(interestKey)) : EVERY_TAG;
}

async function execOrThrow(m: ChainableCommander): Promise<void> {
  for (const [err] of (await m.exec()) ?? []) if (err) throw err;
}

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
    registerScripts(redis, [forgetAppScript, mergeInterestsScript]);
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
    const field = (repo: string, app: string) => `${repo}${SEP}${app}`;
    for (const part of chunks(changedUpdates)) {
      const previous = await this.redis.hmget(k.idxAppRepos, ...part.map((u) => u.entry.key));
      const m = this.redis.multi();
      const emptied = new Set<string>();
      const touched = new Set<string>();
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
          m.hdel(k.idxRepoMeta, field(r, app));
          emptied.add(r);
          touched.add(r);
        }
        for (const t of u.targets) {
          m.sadd(k.idxRepoApps(t.repoKey), app);
          const own = ownInterests(t);
          if (own) m.hset(k.idxRepoMeta, field(t.repoKey, app), own);
          else m.hdel(k.idxRepoMeta, field(t.repoKey, app));
          touched.add(t.repoKey);
          if (written.has(t.repoKey)) continue;
          written.add(t.repoKey);
          const { interests: _own, ...shared } = t;
          m.hset(k.idxRepos, t.repoKey, JSON.stringify({ ...shared, metadata: false }));
        }
      });
      this.queueMerges(m, touched); // in the same transaction: the merged lists never lag the apps' own
      await execOrThrow(m);
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
          m.hdel(k.idxRepoMeta, field(r, app));
          emptied.add(r);
        }
      });
      this.queueMerges(m, emptied);
      await execOrThrow(m);
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

  /** Recomputes the merged metadata interests of repositories whose apps or interests changed. */
  private queueMerges(m: ChainableCommander, repos: Iterable<string>) {
    for (const repo of repos)
      mergeInterestsScript.queue(
        m,
        { repoApps: this.k.idxRepoApps(repo), repoMeta: this.k.idxRepoMeta },
        { repo, max: MAX_METADATA_INTERESTS },
      );
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
        const interests = meta[i] ? storedInterests(meta[i]) : undefined;
        out.set(part[i]!, meta[i] ? { ...t, metadata: true, ...(interests ? { interests } : {}) } : t);
      });
    }
    return out;
  }

  repoKeys(): Promise<string[]> {
    return this.redis.hkeys(this.k.idxRepos);
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

/** A repository's merged interests as stored; undefined (every tag) for `*` or anything unreadable. */
function storedInterests(raw: string): MetadataInterest[] | undefined {
  if (raw === EVERY_TAG) return undefined;
  try {
    const keys = JSON.parse(raw) as unknown;
    if (!Array.isArray(keys)) return undefined;
    return MetadataInterestsSchema.parse(keys.map((key) => JSON.parse(String(key)) as unknown));
  } catch {
    return undefined;
  }
}
