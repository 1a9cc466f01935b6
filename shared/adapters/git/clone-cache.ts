/**
 * Local clones kept between write-backs, so the 100th commit to a big repository costs a fetch, not a
 * clone. A clone is leased by one workspace at a time (one writer per clone; another job for the same
 * branch waits for it), kept while used, removed when it has been idle for `idleMs` or when more than
 * `maxEntries` are idle (least recently used first). Each process has its own cache directory
 * (a clone is never shared between processes); directories left by processes that died are removed
 * when a new cache starts.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CloneCacheOptions {
  /** Parent of the cache directory. Default: os.tmpdir(). */
  root?: string;
  /** Idle clones kept at most; 0 turns the cache off (a fresh clone per workspace). */
  maxEntries: number;
  /** An idle clone is removed after this long. */
  idleMs: number;
}

export interface CloneLease {
  readonly dir: string;
  /** True when `dir` is empty (clone into it); false when it holds an earlier clone of the same key. */
  readonly fresh: boolean;
  /** Gives the clone back (kept for the next lease) or, with `discard`, removes it. Safe to call twice. */
  release(discard?: boolean): Promise<void>;
}

interface Entry {
  key: string;
  dir: string;
  busy: boolean;
  waiters: (() => void)[];
  lastUsed: number;
  timer?: NodeJS.Timeout;
}

const PREFIX = 'tagflow-clones-';

export class CloneCache {
  private base?: Promise<string>;
  private readonly entries = new Map<string, Entry>();
  private serial = 0;

  constructor(private readonly options: CloneCacheOptions) {}

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  /** A clone directory for `key` (repository URL + branches), waiting while another workspace holds it. */
  async acquire(key: string): Promise<CloneLease> {
    const base = await this.baseDir();
    if (!this.enabled) {
      const dir = await mkdtemp(join(base, 'w-'));
      return { dir, fresh: true, release: () => rm(dir, { recursive: true, force: true }) };
    }
    let entry = this.entries.get(key);
    while (entry?.busy) {
      await new Promise<void>((resolve) => entry!.waiters.push(resolve));
      entry = this.entries.get(key);
    }
    if (entry) {
      clearTimeout(entry.timer);
      entry.busy = true;
      return this.lease(entry, false);
    }
    const dir = join(base, `c-${++this.serial}`);
    entry = { key, dir, busy: true, waiters: [], lastUsed: Date.now() };
    this.entries.set(key, entry);
    await mkdir(dir, { recursive: true });
    return this.lease(entry, true);
  }

  /** Removes every idle clone (and the cache directory once nothing is leased). */
  async clear(): Promise<void> {
    for (const e of [...this.entries.values()]) await this.drop(e);
  }

  private lease(e: Entry, fresh: boolean): CloneLease {
    let released = false;
    return {
      dir: e.dir,
      fresh,
      release: async (discard = false) => {
        if (released) return;
        released = true;
        if (discard) {
          this.entries.delete(e.key);
          for (const wake of e.waiters.splice(0)) wake();
          await rm(e.dir, { recursive: true, force: true });
        } else {
          e.busy = false;
          e.lastUsed = Date.now();
          e.timer = setTimeout(() => void this.drop(e), this.options.idleMs);
          e.timer.unref();
          e.waiters.shift()?.();
        }
        await this.evict();
      },
    };
  }

  private async evict(): Promise<void> {
    const idle = [...this.entries.values()].filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const e of idle.slice(0, Math.max(0, idle.length - this.options.maxEntries))) await this.drop(e);
  }

  private async drop(e: Entry): Promise<void> {
    if (e.busy || this.entries.get(e.key) !== e) return;
    clearTimeout(e.timer);
    this.entries.delete(e.key);
    for (const wake of e.waiters.splice(0)) wake();
    await rm(e.dir, { recursive: true, force: true });
  }

  private baseDir(): Promise<string> {
    this.base ??= (async () => {
      const root = this.options.root ?? tmpdir();
      await mkdir(root, { recursive: true });
      await removeDeadCaches(root);
      const dir = await mkdtemp(join(root, PREFIX));
      await writeFile(join(dir, 'pid'), String(process.pid));
      return dir;
    })();
    return this.base;
  }
}

/** Removes cache directories whose process is gone (a SIGKILLed worker cannot clean up after itself). */
async function removeDeadCaches(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const dir = join(root, name);
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => 'NaN'));
    // no pid file yet: a cache another process is creating right now, unless it is old
    const orphan = Number.isNaN(pid)
      ? Date.now() - (await stat(dir).catch(() => ({ mtimeMs: 0 }))).mtimeMs > 60_000
      : !alive(pid);
    if (orphan) await rm(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
