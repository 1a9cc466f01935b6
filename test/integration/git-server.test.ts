/**
 * The git smart-HTTP test server, driven by the real git CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticGitEnv, startGitServer, type GitServer } from '../services/git-server.ts';

const run = promisify(execFile);
const basic = (user: string, pass: string) =>
  `http.extraHeader=Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const ID = {
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};

async function git(cwd: string, args: string[], auth = basic('bot', 'pw')): Promise<string> {
  const { stdout } = await run('git', ['-c', auth, ...args], { cwd, env: hermeticGitEnv(ID) });
  return stdout;
}

let server: GitServer;
let work: string;
beforeAll(async () => {
  server = await startGitServer({ users: { bot: 'pw' } });
  work = await mkdtemp(join(tmpdir(), 'git-server-test-'));
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('git test server', () => {
  it('creates a repo with one initial commit and serves clone and push with Basic auth', async () => {
    const url = await server.createRepo('team/app', { 'a.txt': 'one\n', 'dir/b.yaml': 'x: 1\n' });
    expect(url).toBe(`${server.url}/team/app.git`);
    expect(await server.readFile('team/app', 'dir/b.yaml')).toBe('x: 1\n');
    expect(await server.readFile('team/app', 'missing')).toBeNull();
    const [initial] = await server.log('team/app');
    expect(initial).toMatchObject({ message: 'initial commit', author: 'Test Seeder <seeder@example.invalid>' });

    const dir = join(work, 'clone1');
    await git(work, ['clone', '-q', url, dir]);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('one\n');
    await writeFile(join(dir, 'a.txt'), 'two\n');
    await git(dir, ['commit', '-qam', 'change a']);
    await git(dir, ['push', '-q', 'origin', 'main']);
    expect(await server.readFile('team/app', 'a.txt')).toBe('two\n');
    const log = await server.log('team/app');
    expect(log.map((l) => l.message)).toEqual(['change a', 'initial commit']);
    expect(log[0]!.author).toBe('T <t@example.invalid>');
    expect(
      server.requests.some((r) => r.path.endsWith('/git-receive-pack') && r.user === 'bot' && r.status === 200),
    ).toBe(true);
  });

  it('refuses a wrong password with 401', async () => {
    await server.createRepo('locked', { f: 'x' });
    const err = await git(
      work,
      ['clone', '-q', server.repoUrl('locked'), join(work, 'nope')],
      basic('bot', 'bad'),
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/Authentication failed|terminal prompts disabled|401/);
    expect(server.requests.at(-1)).toMatchObject({ user: null, status: 401 });
  });

  it('rejects exactly the next push after rejectNextPush, and accepts commits from other clients', async () => {
    const url = await server.createRepo('race', { f: '1' }, 'trunk');
    const dir = join(work, 'race');
    await git(work, ['clone', '-q', '--branch', 'trunk', url, dir]);
    await writeFile(join(dir, 'f'), '2');
    await git(dir, ['commit', '-qam', 'mine']);
    await server.rejectNextPush('race');
    const err = await git(dir, ['push', 'origin', 'trunk']).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/pre-receive hook declined/);
    await git(dir, ['push', '-q', 'origin', 'trunk']);
    expect(await server.readFile('race', 'f', 'trunk')).toBe('2');

    const sha = await server.commitFiles('race', { f: null, g: 'new' }, { branch: 'trunk', message: 'other' });
    expect((await server.log('race', 'trunk'))[0]).toMatchObject({ sha, message: 'other' });
    expect(await server.readFile('race', 'f', 'trunk')).toBeNull();
    await writeFile(join(dir, 'h'), 'x');
    await git(dir, ['add', 'h']);
    await git(dir, ['commit', '-qm', 'behind']);
    const nff = await git(dir, ['push', 'origin', 'trunk']).catch((e: Error) => e);
    expect(String((nff as Error).message)).toMatch(/rejected/);
  });
});
