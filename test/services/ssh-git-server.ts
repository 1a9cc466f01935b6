/**
 * A real git-over-SSH server for tests: Debian's OpenSSH sshd (`/usr/sbin/sshd -D -e`) on a free
 * port of 127.0.0.1 with its own host key, public-key logins only (the current user, root on these
 * machines), serving bare repositories made with the helpers of git-server.ts in a temp directory.
 *
 *   const sshd = await startSshGitServer();
 *   const url = await sshd.createRepo('team/app', { 'values.yaml': 'tag: v1\n' }); // ssh://root@127.0.0.1:<port>/<abs>/team/app.git
 *   const key = await sshd.createDeployKey();             // authorized; { authorize: false } for a key the server refuses
 *   sshd.knownHosts                                        // "[127.0.0.1]:<port> ssh-ed25519 AAAA…"
 *   sshd.connections()                                     // connections sshd accepted on its port so far
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from './registry-process.ts';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commitTo, initBare, logOf, showFile, type GitLogEntry } from './git-server.ts';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface DeployKey {
  /** OpenSSH private key text, as it goes into `sshPrivateKey`. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
}

export interface SshGitServer {
  host: string;
  port: number;
  /** The user logging in (the current user). */
  user: string;
  /** Directory holding the bare repos. */
  root: string;
  /** known_hosts line of this server (`[127.0.0.1]:<port> <type> <key>`). */
  knownHosts: string;
  /** A known_hosts line naming this server with another key (as if its host key had changed). */
  wrongKnownHosts: string;
  /** Creates a bare repo `<name>.git` with one commit of `files` on `branch`; returns its ssh URL. */
  createRepo(name: string, files: Record<string, string>, branch?: string): Promise<string>;
  repoUrl(name: string): string;
  repoDir(name: string): string;
  readFile(repo: string, path: string, ref?: string): Promise<string | null>;
  log(repo: string, ref?: string): Promise<GitLogEntry[]>;
  /** A new ed25519 key pair; authorized to log in unless `authorize: false`. */
  createDeployKey(options?: { authorize?: boolean }): Promise<DeployKey>;
  /** How many connections sshd accepted so far. */
  connections(): number;
  /** sshd's log (stderr) so far. */
  logText(): string;
  stop(): Promise<void>;
}

async function keygen(file: string, comment: string): Promise<{ privateKey: string; publicKey: string }> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return { privateKey: await readFile(file, 'utf8'), publicKey: (await readFile(`${file}.pub`, 'utf8')).trim() };
}

function sshdConfig(dir: string, port: number): string {
  return [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${userInfo().username}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** Starts sshd and resolves once it listens ("Server listening on …" on stderr), or rejects with its log. */
function startSshd(configFile: string, log: string[]): Promise<ChildProcess> {
  const child = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onExit = (code: number | null) => reject(new Error(`sshd exited (${code}): ${log.join('\n')}`));
    child.once('error', reject);
    child.once('exit', onExit);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      log.push(...lines);
      if (lines.some((l) => l.startsWith('Server listening on'))) {
        child.off('exit', onExit);
        resolve(child);
      }
    });
  });
}

export async function startSshGitServer(): Promise<SshGitServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tagflow-sshd-'));
  const root = join(dir, 'repos');
  await mkdir(root);
  // Debian's sshd wants its privilege separation directory when it runs as root (systemd makes it)
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const host = await keygen(join(dir, 'host_key'), 'tagflow-test-host');
  const other = await keygen(join(dir, 'other_host_key'), 'tagflow-test-other-host');
  await writeFile(join(dir, 'authorized_keys'), '', { mode: 0o600 });

  const log: string[] = [];
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    const configFile = join(dir, 'sshd_config');
    await writeFile(configFile, sshdConfig(dir, port));
    try {
      child = await startSshd(configFile, log);
    } catch (e) {
      // another process took the port between freePort() and sshd's bind: try another one
      if (attempt >= 5 || !/Address already in use|Cannot bind any address/.test(String(e))) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const proc = child;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const user = userInfo().username;
  const hostName = `[127.0.0.1]:${port}`;
  const keyOf = (publicKey: string) => publicKey.split(/\s+/).slice(0, 2).join(' ');
  const bareName = (repo: string) => `${repo.replace(/^\/+/, '').replace(/\.git$/, '')}.git`;
  const repoDir = (repo: string) => join(root, bareName(repo));
  const repoUrl = (repo: string) => `ssh://${user}@127.0.0.1:${port}${repoDir(repo)}`;
  let keys = 0;

  return {
    host: '127.0.0.1',
    port,
    user,
    root,
    knownHosts: `${hostName} ${keyOf(host.publicKey)}\n`,
    wrongKnownHosts: `${hostName} ${keyOf(other.publicKey)}\n`,
    repoUrl,
    repoDir,
    async createRepo(name, files, branch = 'main') {
      await initBare(repoDir(name), branch);
      await commitTo(repoDir(name), files, { branch, message: 'initial commit' });
      return repoUrl(name);
    },
    readFile: (repo, path, ref = 'main') => showFile(repoDir(repo), path, ref),
    log: (repo, ref = 'main') => logOf(repoDir(repo), ref),
    async createDeployKey(options = {}) {
      const pair = await keygen(join(dir, `deploy-${++keys}`), `tagflow-test-deploy-${keys}`);
      if (options.authorize !== false) await appendFile(join(dir, 'authorized_keys'), `restrict ${pair.publicKey}\n`);
      return pair;
    },
    connections: () => log.filter((l) => /^Connection from \S+ port \d+ on /.test(l)).length,
    logText: () => log.join('\n'),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
