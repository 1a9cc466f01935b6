import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../shared/adapters/k8s/kube-config.ts';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { startKubeApiServer, type KubeApiServer } from '../../test/services/kube-api-server.ts';
import { resolveGitAuth } from './git-auth.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let kube: KubeApiServer;
let reader: KubeConfigReader;
let dir: string;

const b64 = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
const secret = (name: string, type: string | null, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name,
    namespace: 'argocd',
    labels: (type ? { 'argocd.argoproj.io/secret-type': type } : {}) as Record<string, string>,
  },
  data: b64(data),
});

beforeAll(async () => {
  kube = await startKubeApiServer();
  dir = await mkdtemp(join(tmpdir(), 'tagflow-gitauth-'));
  reader = new KubeConfigReader(loadKubeConfig({ kubeconfigPath: await kube.writeKubeconfig(dir) }));
  kube.put(secret('git-creds', null, { username: 'bot', password: 'pw1' }));
  kube.put(secret('half', null, { username: 'bot' }));
  kube.put(
    secret('repo-exact', 'repository', {
      url: 'https://git.example.com/org/app.git',
      username: 'exact',
      password: 'pw2',
    }),
  );
  kube.put(secret('creds-org', 'repo-creds', { url: 'https://git.example.com/org', username: 'org', password: 'pw3' }));
  kube.put(secret('creds-host', 'repo-creds', { url: 'https://git.example.com', username: 'host', password: 'pw4' }));
});
afterAll(async () => {
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

describe('resolveGitAuth', () => {
  it('reads git:secret:<ns>/<name>', async () => {
    expect(
      await resolveGitAuth(
        reader,
        { kind: 'secret', namespace: 'argocd', name: 'git-creds' },
        'https://x/y.git',
        'argocd',
      ),
    ).toEqual({ username: 'bot', password: 'pw1' });
  });

  it('names the secret and the missing fields, never a value', async () => {
    await expect(
      resolveGitAuth(reader, { kind: 'secret', namespace: 'argocd', name: 'nope' }, 'u', 'argocd'),
    ).rejects.toThrow('git credentials secret argocd/nope not found');
    await expect(
      resolveGitAuth(reader, { kind: 'secret', namespace: 'argocd', name: 'half' }, 'u', 'argocd'),
    ).rejects.toThrow(/needs the fields username and password/);
  });

  it.each([
    ['https://git.example.com/org/app.git', 'exact'],
    ['https://git.example.com/org/app', 'exact'],
    ['https://git.example.com/org/other.git', 'org'],
    ['https://git.example.com/elsewhere/x.git', 'host'],
  ])('uses the Argo CD repository secret, else the longest repo-creds prefix, for %s', async (url, user) => {
    expect((await resolveGitAuth(reader, { kind: 'repocreds' }, url, 'argocd'))?.username).toBe(user);
  });

  it('goes anonymous when Argo CD knows no credentials for the repository', async () => {
    expect(
      await resolveGitAuth(reader, { kind: 'repocreds' }, 'https://other.example.com/x.git', 'argocd'),
    ).toBeUndefined();
  });
});
