import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../shared/adapters/k8s/kube-config.ts';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { startKubeApiServer, type KubeApiServer } from '../../test/services/kube-api-server.ts';
import { resolveGitAuth, resolveGitCredentials } from './git-auth.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { GitCredentialsRef } from '../../shared/domain/annotations/index.ts';
import type { TagflowError } from '../../shared/errors.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = promisify(execFile);
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

describe('resolveGitCredentials: ssh remotes', () => {
  let key: string;
  let other: string;
  let encrypted: string;
  const KNOWN_HOSTS =
    'git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample\n';

  beforeAll(async () => {
    const keygen = async (name: string, passphrase = '') => {
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', join(dir, name)]);
      return readFile(join(dir, name), 'utf8');
    };
    [key, other, encrypted] = await Promise.all([
      keygen('ssh-repo'),
      keygen('ssh-org'),
      keygen('ssh-enc', 'pass phrase'),
    ]);
    kube.put(secret('ssh-repo', 'repository', { url: 'git@git.example.com:org/app.git', sshPrivateKey: key }));
    kube.put(secret('ssh-url-only', 'repository', { url: 'ssh://git@git.example.com/org/public.git' }));
    kube.put(secret('ssh-creds-org', 'repo-creds', { url: 'git@git.example.com:org', sshPrivateKey: other }));
    kube.put(
      secret('ssh-userpass', 'repo-creds', { url: 'ssh://git@userpass.example.com', username: 'u', password: 'p' }),
    );
    kube.put(
      secret('https-with-key', 'repository', { url: 'https://git.example.com/org/keyed.git', sshPrivateKey: key }),
    );
    kube.put(secret('git-ssh', null, { sshPrivateKey: key }));
    kube.put(secret('git-enc', null, { sshPrivateKey: encrypted }));
    kube.put(secret('git-junk', null, { sshPrivateKey: 'hunter2-not-a-key' }));
    kube.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-ssh-known-hosts-cm', namespace: 'argocd' },
      data: { ssh_known_hosts: KNOWN_HOSTS },
    });
  });

  const creds = (url: string, ref: GitCredentialsRef = { kind: 'repocreds' }, ns = 'argocd') =>
    resolveGitCredentials(reader, ref, url, ns);
  const gitSecret = (name: string): GitCredentialsRef => ({ kind: 'secret', namespace: 'argocd', name });

  it.each([
    ['ssh://git@git.example.com/org/app.git', 'repository secret (scp-like url)'],
    ['git@git.example.com:org/app.git', 'the same spelling'],
    ['ssh://git@Git.Example.COM/org/app/', 'host case and a trailing slash'],
    ['ssh://git@git.example.com:22/org/app', 'the default port, no .git'],
  ])('%s uses the repository secret (%s) and Argo CD known hosts', async (url) => {
    expect(await creds(url)).toEqual({
      ssh: {
        privateKey: key,
        knownHosts: KNOWN_HOSTS,
        knownHostsSource: 'the ConfigMap argocd/argocd-ssh-known-hosts-cm (key ssh_known_hosts)',
      },
    });
  });

  it('else the longest repo-creds prefix, also for a repository secret without credentials', async () => {
    expect((await creds('ssh://git@git.example.com/org/other.git')).ssh?.privateKey).toBe(other);
    expect((await creds('git@git.example.com:org/public.git')).ssh?.privateKey).toBe(other);
  });

  it('reads sshPrivateKey of git:secret:<ns>/<name>; a missing ConfigMap means no known hosts', async () => {
    expect(await creds('ssh://git@elsewhere.example/x.git', gitSecret('git-ssh'), 'other-ns')).toEqual({
      ssh: {
        privateKey: key,
        knownHosts: '',
        knownHostsSource:
          'the ConfigMap other-ns/argocd-ssh-known-hosts-cm (key ssh_known_hosts), which does not exist yet',
      },
    });
  });

  it('https remotes keep username/password', async () => {
    expect(await creds('https://git.example.com/org/app.git')).toEqual({
      auth: { username: 'exact', password: 'pw2' },
    });
  });

  it.each([
    [
      'a username/password secret for an ssh URL',
      () => creds('ssh://git@x.example/r.git', gitSecret('git-creds')),
      'git credentials secret argocd/git-creds needs the field sshPrivateKey for the SSH repository ssh://git@x.example/r.git (username/password work with HTTPS URLs only)',
    ],
    [
      'a username/password repo-creds template for an ssh URL',
      () => creds('ssh://git@userpass.example.com/r.git'),
      'secret argocd/ssh-userpass needs the field sshPrivateKey for the SSH repository ssh://git@userpass.example.com/r.git (username/password work with HTTPS URLs only)',
    ],
    [
      'an ssh key secret for an https URL',
      () => creds('https://x.example/r.git', gitSecret('git-ssh')),
      'git credentials secret argocd/git-ssh holds an SSH private key (sshPrivateKey), but repository https://x.example/r.git is not an SSH URL: use its ssh URL (git@host:org/repo.git or ssh://host/path), or give the secret username and password',
    ],
    [
      'an ssh key repository secret for an https URL',
      () => creds('https://git.example.com/org/keyed.git'),
      'secret argocd/https-with-key holds an SSH private key (sshPrivateKey), but repository https://git.example.com/org/keyed.git is not an SSH URL: use its ssh URL (git@host:org/repo.git or ssh://host/path), or give the secret username and password',
    ],
    [
      'no secret for an ssh URL',
      () => creds('git@unknown.example:org/r.git'),
      'no SSH credentials for repository git@unknown.example:org/r.git: add an Argo CD repository secret (label argocd.argoproj.io/secret-type=repository, fields url and sshPrivateKey) or repo-creds template in namespace argocd, or use git:secret:<namespace>/<name>',
    ],
    [
      'an encrypted key',
      () => creds('git@x.example:r.git', gitSecret('git-enc')),
      'git credentials secret argocd/git-enc: sshPrivateKey is encrypted with a passphrase: a deploy key used by tagflow must not be (repository git@x.example:r.git)',
    ],
    [
      'something else than a key',
      () => creds('git@x.example:r.git', gitSecret('git-junk')),
      'git credentials secret argocd/git-junk: sshPrivateKey is not a private key in OpenSSH or PEM format (-----BEGIN … PRIVATE KEY-----) (repository git@x.example:r.git)',
    ],
  ])('%s: a git.credentials error naming the secret and the repository', async (_, call, message) => {
    const e = (await call().then(
      () => undefined,
      (err: unknown) => err,
    )) as TagflowError;
    expect({ kind: e?.kind, code: e?.code, message: e?.message }).toEqual({
      kind: 'permanent',
      code: 'git.credentials',
      message,
    });
    for (const secretText of [key, encrypted, 'hunter2'])
      for (const line of secretText.split('\n').filter((l) => l.length > 8 && !l.startsWith('-----')))
        expect(e.message).not.toContain(line);
  });
});
