/**
 * GitWorkspaceFactory over simple-git 4: every open() gets a shallow, single-branch clone of its own
 * (a new one in a temp directory, or one kept by the clone cache, fetched and reset). Credentials travel only as an `Authorization` header in the child env —
 * never in the remote URL, argv, logs or error messages. An ssh remote's deploy key and known hosts
 * are files of a private temp dir (ssh-identity.ts) named by GIT_SSH_COMMAND, removed by dispose().
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { PermanentError } from '../../errors.ts';
import type { GitAuthor, GitWorkspace, GitWorkspaceFactory } from '../../ports/git-workspace.ts';
import { basicAuthorization, gitClient, hermeticEnv, type GitClientOptions } from './git-client.ts';
import { appendGitConfig, signingConfig, signingFailure, signingFlags, type CommitSigning } from './commit-signing.ts';
import { classifyGitError, type GitOperation } from './git-errors.ts';
import { CloneCache } from './clone-cache.ts';
import { resolveInside } from './safe-path.ts';
import { checkRemote, splitCredentials } from './remote-url.ts';
import { createSshIdentity } from './ssh-identity.ts';

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
  /** Signs (openpgp or ssh) and signs off every commit (--git-commit-signing-key/-method, --git-commit-sign-off). */
  signing?: CommitSigning;
}

export { splitCredentials } from './remote-url.ts';

type OpenOptions = Parameters<GitWorkspaceFactory['open']>[0];

interface OpenContext {
  url: string;
  client: GitClientOptions;
  secrets: string[];
  fail(e: unknown, op: GitOperation, what: string): Error;
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

  /**
   * An ssh remote's key and known hosts are written to a private temp dir first; the workspace owns it
   * (removed by dispose()), and it is removed here when open() fails or a retried open() made its own.
   */
  async open(options: OpenOptions): Promise<GitWorkspace> {
    const { url, auth: split } = splitCredentials(options.repoUrl, options.auth);
    checkRemote(url, options.ssh);
    const auth = options.ssh ? undefined : split;
    const env = this.options.env ?? process.env;
    const ssh =
      options.ssh &&
      (await createSshIdentity(this.options.tmpRoot ?? tmpdir(), options.ssh, {
        connectTimeoutSeconds: Math.min(30, (this.options.timeoutMs ?? 120_000) / 1000),
      }));
    const authorization = auth ? basicAuthorization(auth.username, auth.password) : undefined;
    const client: GitClientOptions = {
      env,
      authorization,
      caFile: this.options.caFile ?? env.GIT_SSL_CAINFO,
      timeoutMs: this.options.timeoutMs,
      ssh,
    };
    const secrets = auth ? [auth.password, authorization!.slice('Basic '.length)] : [];
    if (options.ssh) secrets.push(options.ssh.privateKey.trim());
    const fail = (e: unknown, op: GitOperation, what: string) =>
      classifyGitError(e, op, `${what} ${url}`, secrets, options.ssh?.knownHostsSource);
    try {
      const ws = await this.openWith(options, { url, client, secrets, fail });
      if (ssh && !(ws instanceof SimpleGitWorkspace && ws.sshIdentity === ssh)) await ssh.dispose();
      return ws;
    } catch (e) {
      await ssh?.dispose();
      throw e;
    }
  }

  private async openWith(options: OpenOptions, { url, client, secrets, fail }: OpenContext): Promise<GitWorkspace> {
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
    const ws = new SimpleGitWorkspace(
      lease.dir,
      url,
      push,
      client,
      secrets,
      () => lease.release(),
      this.options.signing,
    );
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
    private readonly signing?: CommitSigning,
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
    const staged = await this.run('commit', 'commit to', async () => {
      await this.git().raw(['add', '-A']);
      return (await this.git().raw(['status', '--porcelain'])).trim() !== '';
    });
    if (!staged) return null;
    // signing settings as per-command config after the hermetic env's own entries; Signed-off-by = committer
    const signing = appendGitConfig(hermeticEnv(this.client), signingConfig(this.signing));
    const where = `${this.repoUrl} (${this.branch})`;
    try {
      await this.git({ ...identity, ...signing }).commit(message, undefined, {
        '--no-verify': null,
        ...signingFlags(this.signing),
      });
    } catch (e) {
      throw (
        signingFailure(e, this.signing, where, this.secrets) ??
        classifyGitError(e, 'commit', `commit to ${where}`, this.secrets)
      );
    }
    return this.head();
  }

  push(options?: { force?: boolean }): Promise<void> {
    const force = options?.force ? ['--force'] : [];
    return this.run('push', 'push to', async () => {
      await this.git().raw(['push', '--porcelain', ...force, 'origin', `HEAD:refs/heads/${this.branch}`]);
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

  /** The ssh key and known hosts files this workspace owns (an ssh remote), removed by dispose(). */
  get sshIdentity() {
    return this.client.ssh;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    try {
      await this.release();
    } finally {
      await this.client.ssh?.dispose();
    }
  }
}
