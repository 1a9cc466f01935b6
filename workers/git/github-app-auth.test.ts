/**
 * GitHub App credentials read from Argo CD repository / repo-creds Secrets and `git:secret:`
 * Secrets (kube API stand-in) and exchanged for an installation token at the forge stand-in.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubAppTokenClient } from '../../shared/adapters/forge/github-app-tokens.ts';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { loadKubeConfig } from '../../shared/adapters/k8s/kube-config.ts';
import { PermanentError } from '../../shared/errors.ts';
import { startForgeServer, type ForgeServer } from '../../test/services/forge-server.ts';
import { startKubeApiServer, type KubeApiServer } from '../../test/services/kube-api-server.ts';
import { resolveGitAuth } from './git-auth.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

let kube: KubeApiServer;
let forge: ForgeServer;
let reader: KubeConfigReader;
let dir: string;

const secret = (name: string, type: string | null, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name,
    namespace: 'argocd',
    labels: (type ? { 'argocd.argoproj.io/secret-type': type } : {}) as Record<string, string>,
  },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

beforeAll(async () => {
  kube = await startKubeApiServer();
  forge = await startForgeServer();
  forge.addApp({
    id: '11',
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    installations: { '22': { repos: '*', write: true } },
  });
  dir = await mkdtemp(join(tmpdir(), 'tagflow-ghapp-'));
  reader = new KubeConfigReader(loadKubeConfig({ kubeconfigPath: await kube.writeKubeconfig(dir) }));
  const app = { githubAppID: '11', githubAppInstallationID: '22', githubAppPrivateKey: PEM };
  kube.put(
    secret('repo-app', 'repository', {
      url: 'https://ghe.example/org/app.git',
      ...app,
      githubAppEnterpriseBaseUrl: forge.url,
    }),
  );
  kube.put(
    secret('creds-org', 'repo-creds', {
      url: 'https://ghe.example/org2',
      ...app,
      githubAppEnterpriseBaseUrl: forge.url,
    }),
  );
  kube.put(secret('app-secret', null, { ...app, githubAppEnterpriseBaseUrl: forge.url }));
  kube.put(secret('app-half', null, { githubAppID: '11', githubAppPrivateKey: PEM }));
});
afterAll(async () => {
  await Promise.all([kube.close(), forge.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('GitHub App git credentials', () => {
  it.each([
    ['an Argo CD repository secret', { kind: 'repocreds' as const }, 'https://ghe.example/org/app.git'],
    ['a repo-creds template', { kind: 'repocreds' as const }, 'https://ghe.example/org2/other.git'],
    [
      'a git:secret: Secret',
      { kind: 'secret' as const, namespace: 'argocd', name: 'app-secret' },
      'https://ghe.example/x/y.git',
    ],
  ])(
    'from %s: user x-access-token, the installation token as password, the enterprise API kept',
    async (_n, ref, url) => {
      const before = forge.issued.length;
      const auth = await resolveGitAuth(reader, ref, url, 'argocd', new GitHubAppTokenClient());
      expect(forge.issued.length).toBe(before + 1);
      expect(auth).toEqual({
        username: 'x-access-token',
        password: forge.issued.at(-1)!.token,
        githubApiUrl: forge.url,
      });
    },
  );

  it('names the secret and the missing fields, never the key', async () => {
    const e = await resolveGitAuth(
      reader,
      { kind: 'secret', namespace: 'argocd', name: 'app-half' },
      'https://ghe.example/x/y.git',
      'argocd',
      new GitHubAppTokenClient(),
    ).catch((err: unknown) => err as Error);
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as Error).message).toContain('secret argocd/app-half');
    expect((e as Error).message).toContain('githubAppInstallationID');
    expect((e as Error).message).not.toContain('PRIVATE KEY');
  });
});
