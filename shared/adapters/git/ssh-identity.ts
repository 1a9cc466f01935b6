/**
 * The files ssh needs for one workspace: the deploy key and the known hosts, in a private temp dir
 * (mkdtemp: mode 0700; the key 0600) that `dispose()` removes. git runs ssh through GIT_SSH_COMMAND
 * (env, never argv) with a hermetic set of options: no ssh config files, no agent, only this key,
 * only these known hosts and strict checking (an unknown or changed host key is refused, never
 * learned), no prompts. Only a repository Secret marked `insecure: "true"` (Argo CD's switch to skip
 * server verification) turns the host key check off.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitSshAuth } from '../../ports/git-workspace.ts';

export interface SshIdentity {
  /** The private directory holding the key and known hosts files. */
  readonly dir: string;
  /** GIT_SSH_COMMAND for git (it runs it through the shell: paths are quoted). */
  readonly command: string;
  /** Removes the directory. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Writes `ssh` into a new private directory under `parent`. */
export async function createSshIdentity(
  parent: string,
  ssh: GitSshAuth,
  options: { connectTimeoutSeconds?: number } = {},
): Promise<SshIdentity> {
  const dir = await mkdtemp(join(parent, 'tagflow-ssh-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o700);
    const keyFile = join(dir, 'id');
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(keyFile, textFile(ssh.privateKey), { mode: 0o600, flag: 'wx' });
    await writeFile(knownHostsFile, textFile(ssh.knownHosts), { mode: 0o600, flag: 'wx' });
    const command = sshCommand(
      keyFile,
      knownHostsFile,
      options.connectTimeoutSeconds ?? 30,
      !!ssh.insecureIgnoreHostKey,
    );
    return { dir, command, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** ssh reads an OpenSSH key only with LF line ends and a final newline. */
function textFile(text: string): string {
  const t = text.replace(/\r\n?/g, '\n').trim();
  return t ? `${t}\n` : '';
}

function sshCommand(keyFile: string, knownHostsFile: string, connectTimeout: number, insecure: boolean): string {
  const options = [
    'IdentitiesOnly=yes',
    `IdentityFile=${sshPath(keyFile)}`,
    'IdentityAgent=none',
    `UserKnownHostsFile=${sshPath(knownHostsFile)}`,
    'GlobalKnownHostsFile=/dev/null',
    // insecure (Argo CD's `insecure: "true"`): a host key is accepted into the private file and forgotten with it
    `StrictHostKeyChecking=${insecure ? 'no' : 'yes'}`,
    'UpdateHostKeys=no',
    'BatchMode=yes',
    `ConnectTimeout=${Math.max(1, Math.round(connectTimeout))}`,
    'LogLevel=ERROR',
  ];
  return ['ssh', '-F', '/dev/null', ...options.flatMap((o) => ['-o', shellQuote(o)])].join(' ');
}

/** ssh expands `%` tokens in these paths and splits them at blanks. */
function sshPath(path: string): string {
  const p = path.replace(/%/g, '%%');
  return /\s/.test(p) ? `"${p}"` : p;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
