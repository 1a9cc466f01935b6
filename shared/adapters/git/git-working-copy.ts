/**
 * One working copy of a repository branch over simple-git: files read and written inside it only,
 * commits (signed and signed off as configured), pushes, and the fetch + reset that brings it back to
 * the remote's state (after a rejected push, or when the clone cache hands it out again).
 * Made by SimpleGitWorkspaceFactory (simple-git-workspace.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PermanentError } from '../../errors.ts';
import type { GitAuthor, GitWorkspace } from '../../ports/git-workspace.ts';
import { gitClient, hermeticEnv, type GitClientOptions } from './git-client.ts';
import { appendGitConfig, signingConfig, signingFailure, signingFlags, type CommitSigning } from './commit-signing.ts';
import { classifyGitError, type GitOperation } from './git-errors.ts';
import { resolveInside } from './safe-path.ts';

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
