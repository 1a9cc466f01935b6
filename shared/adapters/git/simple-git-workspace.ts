/**
 * GitWorkspaceFactory over simple-git 4: every open() gets a shallow, single-branch clone of its own
 * (a new one in a temp directory, or one kept by the clone cache, fetched and reset). Credentials travel only as an `Authorization` header in the child env —
 * never in the remote URL, argv, logs or error messages.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { PermanentError } from '../../errors.ts';
import type { GitAuth, GitAuthor, GitWorkspace, GitWorkspaceFactory } from '../../ports/git-workspace.ts';
import { basicAuthorization, gitClient, type GitClientOptions } from './git-client.ts';
import { classifyGitError, scrubSecrets, type GitOperation } from './git-errors.ts';
import { CloneCache } from './clone-cache.ts';
import { resolveInside } from './safe-path.ts';

export interface SimpleGitWorkspaceFactoryOptions {
  /** Base environment for git (PATH, HOME, proxies). Default: process.env. */
  env?: Record<string, string | undefined>;
  /** CA bundle for https remotes. Default: the env's GIT_SSL_CAINFO, if any. */
  caFile?: string;
  /** Parent of the per-workspace temp dirs. Default: os.tmpdir(). */
  tmpRoot?: string;
  timeoutMs?: number;
  /** Clones kept between workspaces (fetch + reset instead of a new clone). Default: off. */
  cloneCache?: { maxEntries: number; idleMs: number };
}

/** Moves URL userinfo into auth (explicit auth wins) and returns the URL without it. */
export function splitCredentials(repoUrl: string, auth?: GitAuth): { url: string; auth?: GitAuth } {
  if (!/^https?:\/\//i.test(repoUrl)) return { url: repoUrl, auth };
  let u: URL;
  try {
    u = new URL(repoUrl);
  } catch {
    throw new PermanentError('git.url', `repository URL "${scrubSecrets(repoUrl)}" is not a valid URL`);
  }
  const fromUrl = u.username
    ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
    : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString(), auth: auth ?? fromUrl };
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!\/)[^\s~^:?*[\\\x00-\x1f\x7f]+(?<!\/)(?<!\.lock)(?<!\.)$/;

export class SimpleGitWorkspaceFactory implements GitWorkspaceFactory {
  private readonly clones: CloneCache;

  constructor(private readonly options: SimpleGitWorkspaceFactoryOptions = {}) {
    this.clones = new CloneCache({
      root: options.tmpRoot,
      maxEntries: options.cloneCache?.maxEntries ?? 0,
      idleMs: options.cloneCache?.idleMs ?? 600_000,
    });
  }

  /** Removes the clones kept idle (at shutdown). */
  close(): Promise<void> {
    return this.clones.clear();
  }

  async open(options: { repoUrl: string; branch: string; pushBranch?: string; auth?: GitAuth }): Promise<GitWorkspace> {
    const { url, auth } = splitCredentials(options.repoUrl, options.auth);
    if (url.startsWith('-')) throw new PermanentError('git.url', `repository URL "${url}" is not allowed`);
    const env = this.options.env ?? process.env;
    const authorization = auth ? basicAuthorization(auth.username, auth.password) : undefined;
    const client: GitClientOptions = {
      env,
      authorization,
      caFile: this.options.caFile ?? env.GIT_SSL_CAINFO,
      timeoutMs: this.options.timeoutMs,
    };
    const secrets = auth ? [auth.password, authorization!.slice('Basic '.length)] : [];
    const fail = (e: unknown, op: GitOperation, what: string) => classifyGitError(e, op, `${what} ${url}`, secrets);

    let branch = options.branch.trim();
    if (branch === '' || branch === 'HEAD') {
      const out = await gitClient(this.options.tmpRoot ?? tmpdir(), client)
        .listRemote(['--symref', url, 'HEAD'])
        .catch((e: unknown) => {
          throw fail(e, 'resolve-branch', 'resolve the default branch of');
        });
      const m = /^ref:\s*refs\/heads\/(\S+)\s+HEAD$/m.exec(out);
      if (!m) throw new PermanentError('git.branch-not-found', `cannot determine the default branch of ${url}`);
      branch = m[1]!;
    }
    if (!BRANCH.test(branch))
      throw new PermanentError('git.branch', `git-branch "${branch}" is not a valid branch name`);
    const push = options.pushBranch?.trim() || branch;
    if (!BRANCH.test(push))
      throw new PermanentError('git.branch', `git-branch write branch "${push}" is not a valid branch name`);

    const lease = await this.clones.acquire(`${url}\n${branch}\n${push}`);
    const ws = new SimpleGitWorkspace(lease.dir, url, push, client, secrets, () => lease.release());
    try {
      if (!lease.fresh) {
        // a clone kept from an earlier write-back: fetch and reset instead of cloning again
        const refreshed = await ws.refresh(branch).then(
          () => true,
          () => false,
        );
        if (refreshed) return ws;
        await lease.release(true); // a clone that cannot be refreshed is not trusted: start over
        return this.open(options);
      }
      await gitClient(lease.dir, client)
        .clone(url, lease.dir, ['--depth', '1', '--branch', branch, '--single-branch', '--no-tags'])
        .catch((e: unknown) => {
          throw fail(e, 'clone', `clone branch ${branch} of`);
        });
      if (push !== branch) await ws.checkoutPushBranch();
      return ws;
    } catch (e) {
      await lease.release(true);
      throw e;
    }
  }
}

export class SimpleGitWorkspace implements GitWorkspace {
  private disposed = false;

  constructor(
    readonly dir: string,
    /** The remote URL without credentials. */
    readonly repoUrl: string,
    /** The branch checked out and pushed (resolved when '' / 'HEAD' was asked for). */
    readonly branch: string,
    private readonly client: GitClientOptions,
    private readonly secrets: readonly string[],
    /** Gives the directory back to the clone cache (or removes it). */
    private readonly release: () => Promise<void>,
  ) {}

  private git(extra?: Record<string, string>) {
    if (this.disposed) throw new PermanentError('git.disposed', `workspace for ${this.repoUrl} was already disposed`);
    return gitClient(this.dir, this.client, extra);
  }

  private async run<T>(op: GitOperation, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classifyGitError(e, op, `${what} ${this.repoUrl} (${this.branch})`, this.secrets);
    }
  }

  head(): Promise<string> {
    return this.run('head', 'read HEAD of', async () => (await this.git().revparse(['HEAD'])).trim());
  }

  async readFile(path: string): Promise<string | null> {
    const abs = await resolveInside(this.dir, path);
    try {
      return await readFile(abs, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'EISDIR') throw new PermanentError('git.path', `path "${path}" is a directory`);
      throw e;
    }
  }

  async writeFile(path: string, content: string): Promise<void> {
    const abs = await resolveInside(this.dir, path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content, 'utf8');
  }

  async commit(message: string, author: GitAuthor): Promise<string | null> {
    if (!message.trim()) throw new PermanentError('git.commit-message', 'commit message is empty');
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    return this.run('commit', 'commit to', async () => {
      await this.git().raw(['add', '-A']);
      if ((await this.git().raw(['status', '--porcelain'])).trim() === '') return null;
      await this.git(identity).commit(message, undefined, { '--no-verify': null });
      return (await this.git().revparse(['HEAD'])).trim();
    });
  }

  push(): Promise<void> {
    return this.run('push', 'push to', async () => {
      await this.git().raw(['push', '--porcelain', 'origin', `HEAD:refs/heads/${this.branch}`]);
    });
  }

  resetToRemote(): Promise<void> {
    const ref = `refs/remotes/origin/${this.branch}`;
    return this.run('reset', 'fetch and reset to', async () => {
      await this.git().raw(['fetch', '--depth', '1', '--no-tags', 'origin', `+refs/heads/${this.branch}:${ref}`]);
      await this.git().raw(['reset', '--hard', ref]);
      await this.git().raw(['clean', '-ffdx']);
    });
  }

  /**
   * Brings a cached clone to the remote's state: the push branch as `open()` would check it out (the
   * remote's copy when it exists, else a new branch from `base`), nothing left of earlier work.
   */
  async refresh(base: string): Promise<void> {
    await this.run('reset', 'fetch and reset to', async () => {
      await this.git().raw(['reset', '--hard', '--quiet']);
      await this.git().raw(['clean', '-ffdxq']);
    });
    if (this.branch !== base) return this.checkoutPushBranch(base);
    return this.resetToRemote();
  }

  /**
   * Switches a fresh clone of the base branch to the push branch: the remote's copy of it when it
   * exists (so earlier updates on it are kept and the push is a fast-forward), else a new branch here.
   */
  async checkoutPushBranch(base?: string): Promise<void> {
    const ref = `refs/remotes/origin/${this.branch}`;
    const exists = await this.run(
      'fetch',
      'look for the write branch on',
      async () => (await this.git().raw(['ls-remote', '--heads', 'origin', `refs/heads/${this.branch}`])).trim() !== '',
    );
    await this.run('checkout', 'check out the write branch of', async () => {
      if (exists) {
        await this.git().raw(['fetch', '--depth', '1', '--no-tags', 'origin', `+refs/heads/${this.branch}:${ref}`]);
        await this.git().raw(['checkout', '-B', this.branch, ref]);
      } else if (base) {
        // a cached clone is on an older push branch: start the new one from the base branch's head
        const baseRef = `refs/remotes/origin/${base}`;
        await this.git().raw(['fetch', '--depth', '1', '--no-tags', 'origin', `+refs/heads/${base}:${baseRef}`]);
        await this.git().raw(['checkout', '-B', this.branch, baseRef]);
      } else {
        await this.git().raw(['checkout', '-B', this.branch]);
      }
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.release();
  }
}
