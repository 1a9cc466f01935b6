/**
 * SimpleGitWorkspaceFactory over SSH against a real sshd: clone, commit and push with a deploy key
 * and strict known hosts; the key lives only in a private temp dir while the workspace is open; an
 * unknown or changed host key, a refused or unreadable key are clear permanent errors that leave
 * nothing behind.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleGitWorkspaceFactory } from '../../shared/adapters/git/simple-git-workspace.ts';
import type { TagflowError } from '../../shared/errors.ts';
import type { GitWorkspace } from '../../shared/ports/git-workspace.ts';
import { startSshGitServer, type DeployKey, type SshGitServer } from '../services/ssh-git-server.ts';

let sshd: SshGitServer;
let key: DeployKey;
let tmpRoot: string;
let factory: SimpleGitWorkspaceFactory;
const AUTHOR = { name: 'tagflow', email: 'tagflow@example.invalid' };

beforeAll(async () => {
  sshd = await startSshGitServer();
  key = await sshd.createDeployKey();
  tmpRoot = await mkdtemp(join(tmpdir(), 'tagflow-ws-ssh-'));
  factory = new SimpleGitWorkspaceFactory({ env: process.env, tmpRoot });
}, 60_000);
afterAll(async () => {
  await sshd?.stop();
  if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
});

const sshDirs = async () => (await readdir(tmpRoot)).filter((n) => n.startsWith('tagflow-ssh-'));
const keyBody = (k: string) => k.split('\n').filter((l) => l && !l.startsWith('-----'));

/** The error `open` rejects with (a workspace it opened instead is disposed and fails the test). */
async function failure(p: Promise<GitWorkspace>): Promise<TagflowError> {
  const r = await p.then(
    (ws) => ({ ws }),
    (err: unknown) => ({ err }),
  );
  if ('ws' in r) {
    await r.ws.dispose();
    throw new Error('open() succeeded');
  }
  expect(r.err).toBeInstanceOf(Error);
  return r.err as TagflowError;
}

describe('git workspace over ssh', () => {
  it('clones, commits and pushes with the deploy key; the key is in a private dir only while open', async () => {
    const url = await sshd.createRepo('team/ok', { 'values.yaml': 'tag: v1\n' });
    const ws = await factory.open({
      repoUrl: url,
      branch: '',
      ssh: { privateKey: key.privateKey, knownHosts: sshd.knownHosts },
    });
    const [dir] = await sshDirs();
    expect(dir).toBeDefined();
    expect((await stat(join(tmpRoot, dir!))).mode & 0o777).toBe(0o700);
    expect((await stat(join(tmpRoot, dir!, 'id'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(tmpRoot, dir!, 'id'), 'utf8')).toBe(key.privateKey);
    // the clone itself keeps no trace of the key (its config names no ssh command or key file)
    expect(await readFile(join(ws.dir, '.git', 'config'), 'utf8')).not.toMatch(/sshCommand|tagflow-ssh-/);

    await ws.writeFile('values.yaml', 'tag: v2\n');
    const sha = await ws.commit('bump', AUTHOR);
    await ws.push();
    await ws.dispose();
    expect((await sshd.log('team/ok'))[0]!.sha).toBe(sha);
    expect(await sshd.readFile('team/ok', 'values.yaml')).toBe('tag: v2\n');
    expect(await sshDirs()).toEqual([]);
  });

  it('known hosts in the [host]:port form and in the plain host form (OpenSSH falls back to it) both work', async () => {
    const url = await sshd.createRepo('team/forms', { a: '1\n' });
    const plain = sshd.knownHosts.replace(/^\[127\.0\.0\.1\]:\d+/, '127.0.0.1');
    for (const knownHosts of [`# Argo CD known hosts\n\n${sshd.knownHosts}`, plain]) {
      const ws = await factory.open({ repoUrl: url, branch: 'main', ssh: { privateKey: key.privateKey, knownHosts } });
      expect(await ws.readFile('a')).toBe('1\n');
      await ws.dispose();
    }
    expect(await sshDirs()).toEqual([]);
  });

  it.each([
    ['no known hosts at all', () => '', 'git.ssh-host-unknown', /SSH host key of \[127\.0\.0\.1\]:\d+ is not known/],
    [
      'a line for another port of the host (port != 22 is looked up as [host]:port)',
      () => sshd.knownHosts.replace(/^\[127\.0\.0\.1\]:\d+/, '[127.0.0.1]:1'),
      'git.ssh-host-unknown',
      /add a line "\[127\.0\.0\.1\]:\d+ <key type> <key>"/,
    ],
    [
      'another key for the host',
      () => sshd.wrongKnownHosts,
      'git.ssh-host-key-changed',
      /SSH host key of \[127\.0\.0\.1\]:\d+ does not match the one in/,
    ],
  ])('%s: a permanent error naming the host and where to add its key', async (_, knownHosts, code, text) => {
    const url = await sshd.createRepo(`team/hosts-${code}-${Math.random().toString(36).slice(2, 8)}`, { a: '1\n' });
    const before = sshd.connections();
    const e = await failure(
      factory.open({
        repoUrl: url,
        branch: 'main',
        ssh: { privateKey: key.privateKey, knownHosts: knownHosts(), knownHostsSource: 'the test ConfigMap' },
      }),
    );
    expect({ kind: e.kind, code: e.code }).toEqual({ kind: 'permanent', code });
    expect(e.message).toMatch(text);
    expect(e.message).toContain('the test ConfigMap');
    expect(e.message).toContain(url);
    for (const line of keyBody(key.privateKey)) expect(e.message).not.toContain(line);
    expect(sshd.connections() - before).toBe(1);
    expect(await sshDirs()).toEqual([]);
  });

  it('a key the server does not know: a permission error', async () => {
    const url = await sshd.createRepo('team/denied', { a: '1\n' });
    const stranger = await sshd.createDeployKey({ authorize: false });
    const e = await failure(
      factory.open({
        repoUrl: url,
        branch: 'main',
        ssh: { privateKey: stranger.privateKey, knownHosts: sshd.knownHosts },
      }),
    );
    expect({ kind: e.kind, code: e.code }).toEqual({ kind: 'permanent', code: 'git.auth' });
    expect(e.message).toMatch(/the SSH server refused the deploy key \(Permission denied \(publickey\)\)/);
    for (const line of keyBody(stranger.privateKey)) expect(e.message).not.toContain(line);
    expect(await sshDirs()).toEqual([]);
  });

  it('a key ssh cannot read: a credentials error', async () => {
    const url = await sshd.createRepo('team/garbage', { a: '1\n' });
    const e = await failure(
      factory.open({ repoUrl: url, branch: 'main', ssh: { privateKey: 'not a key', knownHosts: sshd.knownHosts } }),
    );
    expect({ kind: e.kind, code: e.code }).toEqual({ kind: 'permanent', code: 'git.credentials' });
    expect(e.message).toMatch(/the SSH private key cannot be used/);
    expect(await sshDirs()).toEqual([]);
  });

  it('credentials of the wrong kind for the URL are refused before anything runs', async () => {
    const before = sshd.connections();
    const noKey = await failure(factory.open({ repoUrl: sshd.repoUrl('team/ok'), branch: 'main' }));
    expect({ code: noKey.code, message: noKey.message }).toEqual({
      code: 'git.credentials',
      message: `repository ${sshd.repoUrl('team/ok')} is an SSH URL, but no SSH private key was given`,
    });
    const https = await failure(
      factory.open({
        repoUrl: 'https://git.example.invalid/org/r.git',
        branch: 'main',
        ssh: { privateKey: key.privateKey, knownHosts: '' },
      }),
    );
    expect(https.code).toBe('git.credentials');
    expect(https.message).toMatch(/not an SSH URL/);
    expect(sshd.connections()).toBe(before);
    expect(await sshDirs()).toEqual([]);
  });
});
