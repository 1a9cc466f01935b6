/**
 * SimpleGitWorkspace against an https git server signed by a private CA: simple-git 4 strips the
 * ambient GIT_SSL_CAINFO, so the adapter must pass the CA itself (http.sslCAInfo).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleGitWorkspaceFactory } from '../../shared/adapters/git/simple-git-workspace.ts';
import { generateTlsCerts, type TlsCerts } from '../services/certs.ts';
import { startGitServer, type GitServer } from '../services/git-server.ts';

const auth = { username: 'bot', password: 'tls-pass' };
let server: GitServer;
let certs: TlsCerts;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-tls-'));
  certs = await generateTlsCerts(dir);
  server = await startGitServer({ users: { bot: auth.password }, tls: certs });
  await server.createRepo('secure', { 'values.yaml': 'tag: v1\n' });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('https remotes', () => {
  it('trusts the CA named by GIT_SSL_CAINFO in the given env', async () => {
    const factory = new SimpleGitWorkspaceFactory({ env: { ...process.env, GIT_SSL_CAINFO: certs.caFile } });
    expect(server.url.startsWith('https://')).toBe(true);
    const ws = await factory.open({ repoUrl: server.repoUrl('secure'), branch: 'main', auth });
    try {
      await ws.writeFile('values.yaml', 'tag: v2\n');
      await ws.commit('tls update', { name: 'bot', email: 'bot@example.invalid' });
      await ws.push();
      expect(await server.readFile('secure', 'values.yaml')).toBe('tag: v2\n');
    } finally {
      await ws.dispose();
    }
  });

  it('fails as a transient error when the CA is not trusted', async () => {
    const factory = new SimpleGitWorkspaceFactory({
      env: { ...process.env, GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt' },
    });
    const err = await factory
      .open({ repoUrl: server.repoUrl('secure'), branch: 'main', auth })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'transient', code: 'git.clone' });
    expect((err as Error).message).toMatch(/certificate|SSL/i);
  });

  it('uses an explicit caFile option', async () => {
    const factory = new SimpleGitWorkspaceFactory({ env: {}, caFile: certs.caFile });
    const ws = await factory.open({ repoUrl: server.repoUrl('secure'), branch: 'main', auth });
    expect(await ws.readFile('values.yaml')).toMatch(/^tag: v/);
    await ws.dispose();
  });
});
