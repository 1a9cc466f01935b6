/**
 * GitWorkspaceFactory over simple-git 4: every open() gets a shallow, single-branch clone of its own
 * (a new one in a temp directory, or one kept by the clone cache, fetched and reset), as a
 * SimpleGitWorkspace (git-working-copy.ts). Credentials travel only as an `Authorization` header in the child env —
 * never in the remote URL, argv, logs or error messages. An ssh remote's deploy key and known hosts
 * are files of a private temp dir (ssh-identity.ts) named by GIT_SSH_COMMAND, removed by dispose().
 */
import { tmpdir } from 'node:os';
import { PermanentError } from '../../errors.ts';
import type { GitWorkspace, GitWorkspaceFactory } from '../../ports/git-workspace.ts';
import { basicAuthorization, gitClient, type GitClientOptions } from './git-client.ts';
import type { CommitSigning } from './commit-signing.ts';
import { classifyGitError, type GitOperation } from './git-errors.ts';
import { CloneCache } from './clone-cache.ts';
import { SimpleGitWorkspace } from './git-working-copy.ts';
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
export { SimpleGitWorkspace } from './git-working-copy.ts';

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
