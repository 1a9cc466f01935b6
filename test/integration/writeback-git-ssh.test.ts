/**
 * Git write-back over SSH through the real pipeline: the app's repoURL is a bare repository served
 * by a real sshd, the deploy key comes from an Argo CD repository Secret or a `git:secret:` Secret,
 * the trusted host keys from Argo CD's `argocd-ssh-known-hosts-cm`. An unknown or changed host key
 * and a refused deploy key fail the app's write-back once, clearly, with nothing pushed; the key is
 * never left on disk, in a log line or in the audit trail.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimpleGitWorkspaceFactory } from '../../shared/adapters/git/simple-git-workspace.ts';
import type { AuditRecord } from '../../shared/ports/audit-log.ts';
import { HELM_FILES } from '../fixtures/gitops-demo.ts';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline, until } from '../helpers/pipeline.ts';
import { opaqueSecret } from '../services/kube-fixtures.ts';
import { startSshGitServer, type DeployKey, type SshGitServer } from '../services/ssh-git-server.ts';

const suite = writebackSuite();
const CM = 'argocd-ssh-known-hosts-cm';
let sshd: SshGitServer;
let key: DeployKey;
let tmpRoot: string;

beforeAll(async () => {
  sshd = await startSshGitServer();
  key = await sshd.createDeployKey();
  tmpRoot = await mkdtemp(join(tmpdir(), 'tagflow-wb-ssh-'));
}, 60_000);
afterEach(() => {
  for (const s of suite.env.kube.list('v1', 'secrets', 'argocd'))
    if (s.metadata.name!.startsWith('ssh-')) suite.env.kube.delete('v1', 'secrets', 'argocd', s.metadata.name!);
});
afterAll(async () => {
  await sshd?.stop();
  if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
});

function knownHostsConfigMap(text: string | null): void {
  suite.env.kube.delete('v1', 'configmaps', 'argocd', CM);
  if (text !== null)
    suite.env.kube.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CM, namespace: 'argocd' },
      data: { ssh_known_hosts: text },
    });
}

/** An Argo CD repository Secret for `url` holding `privateKey` (and `more` fields). */
function repositorySecret(name: string, url: string, privateKey: string, more: Record<string, string> = {}): void {
  const s = opaqueSecret('argocd', name, { type: 'git', url, sshPrivateKey: privateKey, ...more });
  suite.env.kube.put({ ...s, metadata: { ...s.metadata, labels: { 'argocd.argoproj.io/secret-type': 'repository' } } });
}

/** The pipeline, with git workspaces (and their ssh key dirs) under the test's own tmp root. */
const pipeline = async () =>
  (suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
    prepare: (s) => ({ ...s, git: new SimpleGitWorkspaceFactory({ env: process.env, tmpRoot }) }),
  }));

/** Every file under `dir` whose content contains `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, 'utf8').catch(() => '')).includes(needle)) found.push(path);
  }
  return found;
}

/** The key left no trace: no key dir under the tmp root, no key text in a file there, a log line or the audit trail. */
async function expectNoKeyLeft(privateKey: string, audit: AuditRecord[]): Promise<void> {
  // the cycle ends when the plans are settled; the commit job disposes its workspace right after
  await until(async () => (await readdir(tmpRoot)).every((n) => !n.startsWith('tagflow-ssh-')), 15_000, 'no key dir');
  const body = privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
  expect(await filesContaining(tmpRoot, body[1]!)).toEqual([]);
  const logs = suite.pipeline!.logText();
  const trail = JSON.stringify(audit);
  for (const line of body) {
    expect(logs).not.toContain(line);
    expect(trail).not.toContain(line);
  }
  expect(logs).not.toContain('PRIVATE KEY');
}

const writeBacks = async (app: string) =>
  (await suite.pipeline!.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter((r) => r.kind === 'write-back');

describe('git write-back over ssh', () => {
  it.each([
    ['an Argo CD repository Secret', 'git', true],
    ['a git:secret: Secret', 'git:secret:argocd/ssh-deploy', false],
  ])('commits and pushes with the deploy key of %s, trusting argocd-ssh-known-hosts-cm', async (_, writeBack, repo) => {
    const name = repo ? 'ssh-repo-secret' : 'ssh-git-secret';
    const url = await sshd.createRepo(name, HELM_FILES);
    if (repo) repositorySecret('ssh-repo', url, key.privateKey);
    else suite.env.kube.put(opaqueSecret('argocd', 'ssh-deploy', { sshPrivateKey: key.privateKey }));
    knownHostsConfigMap(`# Argo CD known hosts\n${sshd.knownHosts}`);
    const app = suite.env.app({ name, repoURL: url, writeBack });
    const before = await sshd.log(name);
    await pipeline();

    expect(await suite.pipeline!.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const after = await sshd.log(name);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toContain(`build: automatic update of ${app}`);
    expect(await sshd.readFile(name, `manifests/helm/.argocd-source-${app}.yaml`)).toContain('value: v2.0');
    const writes = await writeBacks(app);
    expect(writes).toEqual([expect.objectContaining({ outcome: 'updated', commitSha: after[0]!.sha })]);
    await expectNoKeyLeft(key.privateKey, writes);
  });

  it.each([
    [
      'no known hosts ConfigMap',
      () => null,
      'git.ssh-host-unknown',
      /the SSH host key of \[127\.0\.0\.1\]:\d+ is not known .*add a line "\[127\.0\.0\.1\]:\d+ <key type> <key>".* to the ConfigMap argocd\/argocd-ssh-known-hosts-cm \(key ssh_known_hosts\), which does not exist yet/,
    ],
    [
      'another key for the host in the ConfigMap',
      () => sshd.wrongKnownHosts,
      'git.ssh-host-key-changed',
      /the SSH host key of \[127\.0\.0\.1\]:\d+ does not match the one in the ConfigMap argocd\/argocd-ssh-known-hosts-cm/,
    ],
  ])('%s: the write-back fails once with a clear error, nothing pushed', async (_, knownHosts, code, text) => {
    const name = `ssh-${code.replace(/\W/g, '-')}`;
    const url = await sshd.createRepo(name, HELM_FILES);
    repositorySecret('ssh-repo', url, key.privateKey);
    knownHostsConfigMap(knownHosts());
    const app = suite.env.app({ name, repoURL: url, writeBack: 'git' });
    const before = await sshd.log(name);
    const connections = sshd.connections();
    await pipeline();

    expect(await suite.pipeline!.runOnce()).toMatchObject({ images_updated: 0, errors: 1 });
    expect(await sshd.log(name)).toEqual(before);
    // one connection, refused by ssh itself: the permanent error is not retried
    expect(sshd.connections() - connections).toBe(1);
    const writes = await writeBacks(app);
    expect(writes).toEqual([expect.objectContaining({ outcome: 'failed', reason: code, attempt: 1 })]);
    expect(writes[0]!.message).toMatch(text);
    const logged = suite.pipeline!.logs().filter((l) => l.code === code);
    expect(logged.map((l) => l.msg)).toEqual([expect.stringMatching(/^could not write back to git: /)]);
    expect(logged[0]!.msg).toMatch(text);
    await expectNoKeyLeft(key.privateKey, writes);
  });

  it('a repository Secret marked insecure: "true" (Argo CD\'s skip server verification) pushes to an unknown host', async () => {
    const name = 'ssh-insecure';
    const url = await sshd.createRepo(name, HELM_FILES);
    repositorySecret('ssh-repo', url, key.privateKey, { insecure: 'true' });
    knownHostsConfigMap(sshd.wrongKnownHosts); // even a wrong key for the host does not matter then
    const app = suite.env.app({ name, repoURL: url, writeBack: 'git' });
    await pipeline();

    expect(await suite.pipeline!.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(await sshd.readFile(name, `manifests/helm/.argocd-source-${app}.yaml`)).toContain('value: v2.0');
    await expectNoKeyLeft(key.privateKey, await writeBacks(app));
  });

  it('a deploy key the server does not accept: a clear permission error, nothing pushed', async () => {
    const name = 'ssh-denied';
    const url = await sshd.createRepo(name, HELM_FILES);
    const stranger = await sshd.createDeployKey({ authorize: false });
    repositorySecret('ssh-repo', url, stranger.privateKey);
    knownHostsConfigMap(sshd.knownHosts);
    const app = suite.env.app({ name, repoURL: url, writeBack: 'git' });
    const before = await sshd.log(name);
    await pipeline();

    expect(await suite.pipeline!.runOnce()).toMatchObject({ images_updated: 0, errors: 1 });
    expect(await sshd.log(name)).toEqual(before);
    const writes = await writeBacks(app);
    expect(writes).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'git.auth', attempt: 1 })]);
    expect(writes[0]!.message).toContain(
      `${url}: the SSH server refused the deploy key (Permission denied (publickey))`,
    );
    expect(suite.pipeline!.logText()).toContain('the SSH server refused the deploy key');
    await expectNoKeyLeft(stranger.privateKey, writes);
  });
});
