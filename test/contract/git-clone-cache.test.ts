/**
 * The clone cache of SimpleGitWorkspaceFactory against a real git smart-HTTP server: a second
 * workspace of the same branch reuses the clone (fetch + reset, no clone), sees what others pushed,
 * keeps nothing of earlier work; one writer per clone; bounded; idle clones removed; caches of dead
 * processes removed.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleGitWorkspaceFactory } from '../../shared/adapters/git/simple-git-workspace.ts';
import { startGitServer, type GitServer } from '../services/git-server.ts';
import { until } from '../helpers/pipeline.ts';

const auth = { username: 'bot', password: 'cache-pa55' };
const author = { name: 'tagflow', email: 'tagflow@example.com' };
let server: GitServer;
let root: string;

beforeAll(async () => {
  server = await startGitServer({ users: { bot: auth.password } });
  root = await mkdtemp(join(tmpdir(), 'clone-cache-test-'));
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function factory(maxEntries: number, idleMs = 60_000, sub = `f${Math.random().toString(36).slice(2)}`) {
  const tmpRoot = join(root, sub);
  return { tmpRoot, f: new SimpleGitWorkspaceFactory({ tmpRoot, cloneCache: { maxEntries, idleMs } }) };
}

describe('clone cache', () => {
  it('reuses the clone of a branch: the second workspace fetches what others pushed and keeps nothing of earlier work', async () => {
    await server.createRepo('reuse', { 'a.yaml': 'tag: v1\n' });
    const { f, tmpRoot } = factory(4);
    await mkdir(tmpRoot, { recursive: true });
    const ws1 = await f.open({ repoUrl: server.repoUrl('reuse'), branch: 'main', auth });
    const dir = ws1.dir;
    await ws1.writeFile('a.yaml', 'tag: v2\n');
    await ws1.commit('one', author);
    await ws1.push();
    await ws1.writeFile('stray.txt', 'left behind\n'); // uncommitted work of a failed job
    await ws1.dispose();
    expect(existsSync(dir)).toBe(true);

    await server.commitFiles('reuse', { 'b.yaml': 'other: 1\n' }, { message: 'another writer' });
    const ws2 = await f.open({ repoUrl: server.repoUrl('reuse'), branch: 'main', auth });
    expect(ws2.dir).toBe(dir);
    expect(await ws2.readFile('stray.txt')).toBeNull();
    expect(await ws2.readFile('a.yaml')).toBe('tag: v2\n');
    expect(await ws2.readFile('b.yaml')).toBe('other: 1\n');
    await ws2.writeFile('a.yaml', 'tag: v3\n');
    await ws2.commit('two', author);
    await ws2.push(); // a fast-forward on top of the other writer's commit
    await ws2.dispose();
    const log = await server.log('reuse');
    expect(log.map((c) => c.message)).toEqual(['two', 'another writer', 'one', expect.any(String)]);
    await f.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('a warm open is a fetch into the kept clone, not a new clone', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`apps/app-${i}/values.yaml`] = `image:\n  tag: v${i}\n`;
    await server.createRepo('big', files);
    const { f } = factory(2);
    const ws1 = await f.open({ repoUrl: server.repoUrl('big'), branch: 'main', auth });
    // a file git never writes: it survives only if the clone is reused as it is
    await writeFile(join(ws1.dir, '.git', 'tagflow-marker'), 'kept');
    await ws1.dispose();
    await server.commitFiles('big', { 'apps/app-7/values.yaml': 'image:\n  tag: v700\n' });
    const ws2 = await f.open({ repoUrl: server.repoUrl('big'), branch: 'main', auth });
    expect(existsSync(join(ws2.dir, '.git', 'tagflow-marker'))).toBe(true);
    expect(await ws2.readFile('apps/app-7/values.yaml')).toBe('image:\n  tag: v700\n');
    await ws2.dispose();
    await f.close();
  });

  it('one writer per clone: a second open of the same branch waits for the first to be disposed', async () => {
    await server.createRepo('single', { 'a.yaml': 'tag: v1\n' });
    const { f } = factory(2);
    const ws1 = await f.open({ repoUrl: server.repoUrl('single'), branch: 'main', auth });
    let second: Awaited<ReturnType<typeof f.open>> | undefined;
    const pending = f.open({ repoUrl: server.repoUrl('single'), branch: 'main', auth }).then((ws) => (second = ws));
    await new Promise((r) => setTimeout(r, 300));
    expect(second).toBeUndefined();
    await ws1.dispose();
    await pending;
    expect(second!.dir).toBe(ws1.dir);
    await second!.dispose();
    await f.close();
  });

  it('a write branch: the cached clone follows the remote write branch, or starts it again from the base', async () => {
    await server.createRepo('wb', { 'a.yaml': 'tag: v1\n' });
    const { f } = factory(2);
    const open = () => f.open({ repoUrl: server.repoUrl('wb'), branch: 'main', pushBranch: 'updates', auth });
    const ws1 = await open();
    await ws1.writeFile('a.yaml', 'tag: v2\n');
    await ws1.commit('on updates', author);
    await ws1.push();
    await ws1.dispose();
    const ws2 = await open();
    expect(ws2.dir).toBe(ws1.dir);
    expect(await ws2.readFile('a.yaml')).toBe('tag: v2\n');
    await ws2.dispose();
    // the write branch is merged and deleted on the remote; the base moved on
    await server.commitFiles('wb', { 'a.yaml': 'tag: v9\n' }, { message: 'base moved' });
    await rm(join(server.repoDir('wb'), 'refs/heads/updates'), { force: true });
    const ws3 = await open();
    expect(await ws3.readFile('a.yaml')).toBe('tag: v9\n');
    await ws3.dispose();
    await f.close();
  });

  it('is bounded: past maxEntries idle clones the least recently used is removed; idle ones expire', async () => {
    await server.createRepo('b1', { 'a.yaml': '1\n' });
    await server.createRepo('b2', { 'a.yaml': '2\n' });
    const { f } = factory(1, 400);
    const w1 = await f.open({ repoUrl: server.repoUrl('b1'), branch: 'main', auth });
    await w1.dispose();
    const w2 = await f.open({ repoUrl: server.repoUrl('b2'), branch: 'main', auth });
    await w2.dispose();
    expect(existsSync(w1.dir)).toBe(false);
    expect(existsSync(w2.dir)).toBe(true);
    await until(() => !existsSync(w2.dir), 10_000);
  });

  it('with the cache off every workspace is a fresh clone removed on dispose', async () => {
    await server.createRepo('off', { 'a.yaml': '1\n' });
    const { f } = factory(0);
    const w1 = await f.open({ repoUrl: server.repoUrl('off'), branch: 'main', auth });
    await w1.dispose();
    const w2 = await f.open({ repoUrl: server.repoUrl('off'), branch: 'main', auth });
    expect(w2.dir).not.toBe(w1.dir);
    expect(existsSync(w1.dir)).toBe(false);
    await w2.dispose();
  });

  it('removes the cache directories of processes that are gone, keeps those of live ones', async () => {
    const tmpRoot = join(root, 'dead');
    const dead = join(tmpRoot, 'tagflow-clones-dead01');
    const live = join(tmpRoot, 'tagflow-clones-live01');
    await mkdir(join(dead, 'c-1'), { recursive: true });
    await mkdir(live, { recursive: true });
    await writeFile(join(dead, 'pid'), '999999999');
    await writeFile(join(live, 'pid'), String(process.pid));
    await server.createRepo('dead', { 'a.yaml': '1\n' });
    const f = new SimpleGitWorkspaceFactory({ tmpRoot, cloneCache: { maxEntries: 1, idleMs: 60_000 } });
    const ws = await f.open({ repoUrl: server.repoUrl('dead'), branch: 'main', auth });
    await ws.dispose();
    const names = await readdir(tmpRoot);
    expect(names).not.toContain('tagflow-clones-dead01');
    expect(names).toContain('tagflow-clones-live01');
    await f.close();
  });
});
