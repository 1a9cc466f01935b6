import type { Redis } from 'ioredis';
import type { Application } from '../../ports/application-store.ts';
import type { AppIndex } from '../../ports/app-index.ts';
import type { Keyspace } from './connection.ts';

export class RedisAppIndex implements AppIndex {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
  ) {}

  async putMany(entries: readonly { app: string; application: Application; repos: readonly string[] }[]): Promise<void> {
    if (entries.length === 0) return;
    const read = this.redis.pipeline();
    for (const e of entries) read.smembers(this.key('app-repos', e.app));
    const previous = ((await read.exec()) ?? []).map(([, members]) => members as string[]);
    const m = this.redis.multi();
    entries.forEach(({ app, application, repos }, i) => {
      m.set(this.key('app', app), JSON.stringify(application));
      m.sadd(this.key('apps'), app);
      for (const r of previous[i]!) if (!repos.includes(r)) m.srem(this.key('repo-apps', r), app);
      m.del(this.key('app-repos', app));
      if (repos.length > 0) m.sadd(this.key('app-repos', app), ...repos);
      for (const r of repos) m.sadd(this.key('repo-apps', r), app);
    });
    await m.exec();
  }

  async get(app: string): Promise<Application | null> {
    const raw = await this.redis.get(this.key('app', app));
    return raw ? (JSON.parse(raw) as Application) : null;
  }

  appsForRepo(repoKey: string): Promise<string[]> {
    return this.redis.smembers(this.key('repo-apps', repoKey));
  }

  keys(): Promise<string[]> {
    return this.redis.smembers(this.key('apps'));
  }

  async retain(apps: readonly string[]): Promise<number> {
    const keep = new Set(apps);
    const known = await this.keys();
    const gone = known.filter((a) => !keep.has(a));
    for (const app of gone) {
      const repos = await this.redis.smembers(this.key('app-repos', app));
      const m = this.redis.multi().srem(this.key('apps'), app).del(this.key('app', app), this.key('app-repos', app));
      for (const r of repos) m.srem(this.key('repo-apps', r), app);
      await m.exec();
    }
    return gone.length;
  }
}
