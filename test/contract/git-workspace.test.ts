/**
 * SimpleGitWorkspaceFactory against a real git smart-HTTP server (git http-backend + Basic auth).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleGitWorkspaceFactory, type SimpleGitWorkspace } from '../../shared/adapters/git/simple-git-workspace.ts';
import { ConflictError, PermanentError } from '../../shared/errors.ts';
import type { GitWorkspace } from '../../shared/ports/git-workspace.ts';
import { startGitServer, type GitServer } from '../services/git-server.ts';

const PASSWORD = 'pa55-w0rd-$ecret';
const auth = { username: 'bot', password: PASSWORD };
const author = { name: 'argocd-image-updater', email: 'noreply@argoproj.io' };

let server: GitServer;
let outside: string;
const factory = new SimpleGitWorkspaceFactory({
  // An ambient GIT_* variable must neither break simple-git's guard nor leak into git.
  env: { ...process.env, GIT_DIR: '/nonexistent', GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt' },
});
const open: GitWorkspace[] = [];
async function openWs(repo: string, branch = 'main', a: typeof auth | undefined = auth): Promise<SimpleGitWorkspace> {
  const ws = (await factory.open({ repoUrl: server.repoUrl(repo), branch, auth: a })) as SimpleGitWorkspace;
  open.push(ws);
  return ws;
}

beforeAll(async () => {
  server = await startGitServer({ users: { bot: PASSWORD } });
  outside = await mkdtemp(join(tmpdir(), 'git-ws-outside-'));
});
afterAll(async () => {
  for (const ws of open) await ws.dispose();
  await server.close();
  await rm(outside, { recursive: true, force: true });
});

describe('SimpleGitWorkspace', () => {
  it('clones into its own temp dir, writes, commits as the given author and pushes', async () => {
    await server.createRepo('app', { 'manifests/values.yaml': 'tag: v1\n' });
    const ws = await openWs('app');
    expect(ws.dir.startsWith(tmpdir())).toBe(true);
    expect(await ws.readFile('manifests/values.yaml')).toBe('tag: v1\n');
    expect(await ws.readFile('manifests/missing.yaml')).toBeNull();
    await ws.writeFile('manifests/values.yaml', 'tag: v2\n');
    await ws.writeFile('manifests/new/.argocd-source-app.yaml', 'helm: {}\n');
    const sha = await ws.commit('build: update image to v2\n\nbody line', author);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await ws.head()).toBe(sha);
    await ws.push();
    const [last] = await server.log('app');
    expect(last).toMatchObject({
      sha,
      message: 'build: update image to v2\n\nbody line',
      author: 'argocd-image-updater <noreply@argoproj.io>',
    });
    expect(last!.committer).toBe('argocd-image-updater <noreply@argoproj.io>');
    expect(await server.readFile('app', 'manifests/new/.argocd-source-app.yaml')).toBe('helm: {}\n');
    expect(await readFile(join(ws.dir, '.git', 'config'), 'utf8')).not.toContain(PASSWORD);
    expect(
      server.requests.filter((r) => r.path.startsWith('/app.git')).every((r) => r.user === 'bot' || r.status === 401),
    ).toBe(true);
  });

  it('returns null from commit when nothing changed', async () => {
    await server.createRepo('noop', { 'a.txt': 'same\n' });
    const ws = await openWs('noop');
    await ws.writeFile('a.txt', 'same\n');
    expect(await ws.commit('nothing', author)).toBeNull();
    expect(await server.log('noop')).toHaveLength(1);
  });

  it('turns a hook-rejected push into ConflictError, then resetToRemote + re-apply + push succeeds', async () => {
    await server.createRepo('reject', { 'v.yaml': 'tag: v1\n' });
    const ws = await openWs('reject');
    await ws.writeFile('v.yaml', 'tag: v2\n');
    await ws.commit('to v2', author);
    await server.rejectNextPush('reject');
    const err = await ws.push().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'git.push-rejected' });
    await ws.resetToRemote();
    expect(await ws.readFile('v.yaml')).toBe('tag: v1\n');
    await ws.writeFile('v.yaml', 'tag: v2\n');
    await ws.commit('to v2', author);
    await ws.push();
    expect(await server.readFile('reject', 'v.yaml')).toBe('tag: v2\n');
  });

  it("turns a non-fast-forward push into ConflictError and keeps the other writer's change after re-apply", async () => {
    await server.createRepo('race', { 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n' });
    const ws = await openWs('race');
    await server.commitFiles('race', { 'b.yaml': 'b: 2\n' }, { message: 'other writer' });
    await ws.writeFile('a.yaml', 'a: 2\n');
    await ws.commit('mine', author);
    await expect(ws.push()).rejects.toMatchObject({ kind: 'conflict', code: 'git.push-rejected' });
    await ws.resetToRemote();
    await ws.writeFile('a.yaml', 'a: 2\n');
    await ws.commit('mine', author);
    await ws.push();
    expect(await server.readFile('race', 'a.yaml')).toBe('a: 2\n');
    expect(await server.readFile('race', 'b.yaml')).toBe('b: 2\n');
    expect((await server.log('race')).map((l) => l.message)).toEqual(['mine', 'other writer', 'initial commit']);
  });

  it('fails with git.auth on a wrong password and never shows the password', async () => {
    await server.createRepo('secret', { f: 'x' });
    const wrong = { username: 'bot', password: 'wrong-Pa55word!' };
    const err = (await factory
      .open({ repoUrl: server.repoUrl('secret'), branch: 'main', auth: wrong })
      .catch((e: unknown) => e)) as PermanentError;
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('git.auth');
    expect(err.message).not.toContain('wrong-Pa55word!');
    expect(err.message).not.toContain(Buffer.from('bot:wrong-Pa55word!').toString('base64'));
    expect(err.cause).toBeUndefined();

    const inUrl = server.repoUrl('secret').replace('http://', 'http://bot:wrong-Pa55word!@');
    const err2 = (await factory.open({ repoUrl: inUrl, branch: 'main' }).catch((e: unknown) => e)) as PermanentError;
    expect(err2.code).toBe('git.auth');
    expect(JSON.stringify({ m: err2.message, s: err2.stack })).not.toContain('wrong-Pa55word!');
  });

  it('takes credentials out of the URL and still authenticates', async () => {
    await server.createRepo('url-creds', { f: 'x' });
    const ws = (await factory.open({
      repoUrl: server.repoUrl('url-creds').replace('http://', `http://bot:${encodeURIComponent(PASSWORD)}@`),
      branch: 'main',
    })) as SimpleGitWorkspace;
    open.push(ws);
    expect(ws.repoUrl).toBe(server.repoUrl('url-creds'));
    expect(await readFile(join(ws.dir, '.git', 'config'), 'utf8')).not.toContain(PASSWORD);
  });

  it('resolves "" and HEAD to the remote default branch', async () => {
    await server.createRepo('trunky', { f: 'on trunk' }, 'trunk');
    for (const branch of ['', 'HEAD']) {
      const ws = await openWs('trunky', branch);
      expect(ws.branch).toBe('trunk');
      expect(await ws.readFile('f')).toBe('on trunk');
    }
  });

  it('reports a missing branch as PermanentError and removes its temp dir', async () => {
    await server.createRepo('one-branch', { f: 'x' });
    const err = (await factory
      .open({ repoUrl: server.repoUrl('one-branch'), branch: 'nope', auth })
      .catch((e: unknown) => e)) as PermanentError;
    expect(err).toMatchObject({ kind: 'permanent', code: 'git.branch-not-found' });
    await expect(
      factory.open({ repoUrl: server.repoUrl('one-branch'), branch: '--upload-pack=x', auth }),
    ).rejects.toMatchObject({ code: 'git.branch' });
  });

  it('rejects paths that escape the repository', async () => {
    await server.createRepo('paths', { 'ok.txt': 'ok' });
    const ws = await openWs('paths');
    await writeFile(join(outside, 'target.txt'), 'outside');
    await symlink(outside, join(ws.dir, 'link-out'));
    await symlink(join(outside, 'dangling'), join(ws.dir, 'dangling-out'));
    for (const bad of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      '.git/config',
      './.git/hooks/pre-commit',
      'link-out/target.txt',
      'dangling-out',
      '',
      'a\0b',
    ]) {
      await expect(ws.writeFile(bad, 'pwned'), bad).rejects.toMatchObject({ kind: 'permanent', code: 'git.path' });
      await expect(ws.readFile(bad), bad).rejects.toMatchObject({ code: 'git.path' });
    }
    expect(existsSync(join(outside, 'dangling'))).toBe(false);
    expect(await readFile(join(outside, 'target.txt'), 'utf8')).toBe('outside');
    await ws.writeFile('./sub/dir/ok.yaml', 'fine');
    expect(await ws.readFile('sub/dir/ok.yaml')).toBe('fine');
  });

  it('disposes its directory, twice without error', async () => {
    await server.createRepo('dispose', { f: 'x' });
    const ws = await factory.open({ repoUrl: server.repoUrl('dispose'), branch: 'main', auth });
    expect(existsSync(ws.dir)).toBe(true);
    await ws.dispose();
    await ws.dispose();
    expect(existsSync(ws.dir)).toBe(false);
  });
});
