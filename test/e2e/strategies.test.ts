/**
 * Every update strategy through a full `tagflow run --once` (git and argocd write-back) against the
 * real registry, git server and Kubernetes API, with the audit trail explaining each decision. The
 * registry sits behind a recording proxy so the metadata cache can be proven by request counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSeedEnvironment, type SeedEnvironment } from '../fixtures/seed-environment.ts';
import { strategyApplication, type StrategyAppOptions } from '../fixtures/strategy-apps.ts';
import {
  image,
  pushStrategyImages,
  repushFollowed,
  REPOS,
  STRATEGY_HOST,
  type StrategyImages,
} from '../fixtures/strategy-images.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { startPaginatingProxy, type PaginatingProxy } from '../services/registry-proxy.ts';

const GIT = 'git:secret:argocd/git-creds';
const REPO = 'gitops-demo';

let env: SeedEnvironment;
let pushed: StrategyImages;
let proxy: PaginatingProxy;

beforeAll(async () => {
  env = await startSeedEnvironment();
  pushed = await pushStrategyImages(env.registry);
  proxy = await startPaginatingProxy({ upstream: env.registry.url, pageSize: 100 });
  env.kube.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-image-updater-config', namespace: 'argocd' },
    data: {
      'registries.conf': `registries:\n- name: ACR via recording proxy\n  api_url: ${proxy.url}\n  prefix: ${STRATEGY_HOST}\n  credentials: secret:argocd/acr#acr\n`,
    },
  });
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await env?.stop();
});

function addApp(o: Omit<StrategyAppOptions, 'repoURL'>): void {
  env.kube.put(strategyApplication({ ...o, repoURL: env.repoURL }));
}

function setRunning(name: string, running: string): void {
  const app = env.kube.get('argoproj.io/v1alpha1', 'applications', 'argocd', name)!;
  env.kube.put({ ...app, status: { ...(app.status as object), summary: { images: [running] } } });
}

function runOnce(prefix: string, app: string) {
  return runCli(
    [
      'run',
      '--once',
      '--kubeconfig',
      env.kubeconfigPath,
      '--redis-url',
      TEST_REDIS_URL,
      '--match-application-name',
      app,
    ],
    {
      TAGFLOW_PREFIX: prefix,
      KUBECONFIG: undefined,
    },
  );
}

const results = (u: number, skipped = 0, errors = 0) =>
  `Processing results: applications=1 images_considered=1 images_skipped=${skipped} images_updated=${u} errors=${errors}`;

interface Audit {
  kind: string;
  outcome: string;
  reason: string;
  message: string;
  current?: string;
  selected?: string;
  commitSha?: string;
  resourceVersion?: string;
  detail?: { tagsFound: number; afterFilters: number; afterPlatforms: number; ranking: string[]; warnings: string[] };
}

/** The app's audit trail through `tagflow audit --output json`, newest first. */
async function audit(prefix: string, app: string): Promise<Audit[]> {
  const r = await runCli(['audit', '--app', app, '--output', 'json', '--redis-url', TEST_REDIS_URL], {
    TAGFLOW_PREFIX: prefix,
  });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Audit[];
}
const lastSelect = async (prefix: string, app: string) => (await audit(prefix, app)).find((r) => r.kind === 'select')!;

/** Helm parameters of the app's `.argocd-source-<app>.yaml` on the remote, by name. */
async function committedParams(app: string): Promise<Record<string, string>> {
  const text = await env.git.readFile(REPO, `manifests/helm/.argocd-source-${app}.yaml`);
  const doc = parse(text ?? '') as { helm: { parameters: { name: string; value: string; forcestring: boolean }[] } };
  return Object.fromEntries(doc.helm.parameters.map((p) => [p.name, p.value]));
}

/** Helm parameters the argocd method patched into the live Application. */
function patchedParams(app: string): Record<string, string> {
  const obj = env.kube.get('argoproj.io/v1alpha1', 'applications', 'argocd', app) as unknown as {
    spec: { source: { helm?: { parameters?: { name: string; value: string }[] } } };
  };
  return Object.fromEntries((obj.spec.source.helm?.parameters ?? []).map((p) => [p.name, p.value]));
}

describe('semver through run --once', () => {
  it('commits the highest release satisfying the constraint (no pre-release), then changes nothing', async () => {
    const name = 'semver-git';
    const prefix = uniquePrefix('semver');
    addApp({ name, imageList: `${image(REPOS.semver)}:^1.0`, writeBack: GIT, running: `${image(REPOS.semver)}:1.0.0` });
    const before = await env.git.log(REPO);

    const first = await runOnce(prefix, name);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(results(1));
    expect(await committedParams(name)).toEqual({ 'image.repository': image(REPOS.semver), 'image.tag': '1.2.0' });
    const log = await env.git.log(REPO);
    expect(log).toHaveLength(before.length + 1);
    expect(log[0]!.message).toContain("updates image strategies/semver tag '1.0.0' to '1.2.0'");

    const planned = await lastSelect(prefix, name);
    expect(planned).toMatchObject({ outcome: 'planned', reason: 'updated', current: '1.0.0', selected: '1.2.0' });
    expect(planned.detail).toMatchObject({
      tagsFound: 11,
      afterFilters: 11,
      afterPlatforms: 11,
      ranking: ['1.2.0', '1.1.5', '1.1.0', '1.0.0'],
    });
    expect(planned.message).toContain('8 of them are semantic versions, 4 satisfy constraint "^1.0"');
    expect((await audit(prefix, name)).find((r) => r.kind === 'write-back')).toMatchObject({
      outcome: 'updated',
      commitSha: log[0]!.sha,
    });

    setRunning(name, `${image(REPOS.semver)}:1.2.0`);
    const second = await runOnce(prefix, name);
    expect(second.stdout).toContain(results(0));
    expect(await env.git.log(REPO)).toHaveLength(log.length);
    const noop = await lastSelect(prefix, name);
    expect(noop).toMatchObject({ outcome: 'noop', reason: 'already-newest', current: '1.2.0', selected: '1.2.0' });
    expect(noop.message).toMatch(/^already running 1\.2\.0, the best allowed tag; selected "1\.2\.0" by semver/);
  }, 60_000);

  it('explains why nothing changes when no tag satisfies the constraint, and names a bad constraint', async () => {
    const prefix = uniquePrefix('semver-none');
    addApp({
      name: 'semver-none',
      imageList: `${image(REPOS.semver)}:~3.0`,
      writeBack: GIT,
      running: `${image(REPOS.semver)}:1.0.0`,
    });
    const none = await runOnce(prefix, 'semver-none');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(results(0, 1));
    const skipped = await lastSelect(prefix, 'semver-none');
    expect(skipped).toMatchObject({
      outcome: 'skipped',
      reason: 'no-match',
      current: '1.0.0',
      detail: { tagsFound: 11, afterFilters: 11, ranking: [] },
    });
    expect(skipped.message).toContain(
      'no tag qualifies: 11 tag(s) found, 11 left after allow/ignore filters; 8 of them are semantic versions, 0 satisfy constraint "~3.0"',
    );

    addApp({
      name: 'semver-bad',
      imageList: `${image(REPOS.semver)}:stable`,
      writeBack: GIT,
      running: `${image(REPOS.semver)}:1.0.0`,
    });
    const bad = await runOnce(prefix, 'semver-bad');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('images_considered=1 images_skipped=0 images_updated=0 errors=1');
    const invalid = await lastSelect(prefix, 'semver-bad');
    expect(invalid).toMatchObject({ outcome: 'invalid', reason: 'invalid-input' });
    expect(invalid.message).toMatch(/image-list.*"stable"/);
  }, 60_000);
});

describe('the other write-back method for semver and alphabetical', () => {
  it('semver patches the Application; alphabetical commits the override file', async () => {
    const prefix = uniquePrefix('methods');
    addApp({
      name: 'semver-argocd',
      imageList: `${image(REPOS.semver)}:~1.1`,
      writeBack: 'argocd',
      running: `${image(REPOS.semver)}:1.0.0`,
    });
    addApp({
      name: 'alpha-git',
      imageList: image(REPOS.builds),
      settings: { 'update-strategy': 'alphabetical' },
      writeBack: GIT,
      running: `${image(REPOS.builds)}:a-old`,
    });
    const [semver, alpha] = [await runOnce(prefix, 'semver-argocd'), await runOnce(prefix, 'alpha-git')];
    expect(semver.stdout).toContain(results(1));
    expect(alpha.stdout).toContain(results(1));
    expect(patchedParams('semver-argocd')['image.tag']).toBe('1.1.5');
    expect((await committedParams('alpha-git'))['image.tag']).toBe('zz-oldest');
    expect(await lastSelect(prefix, 'alpha-git')).toMatchObject({
      selected: 'zz-oldest',
      detail: { tagsFound: 6, afterPlatforms: 6, ranking: ['zz-oldest', 'tie-y', 'tie-x', 'b-mid', 'arm-newest'] },
    });
  }, 60_000);
});

describe('alphabetical through run --once', () => {
  it('patches the Application with the greatest name by bytes after ignore-tags, and does not patch again', async () => {
    const name = 'alpha-argocd';
    const prefix = uniquePrefix('alpha');
    addApp({
      name,
      imageList: image(REPOS.semver),
      settings: { 'update-strategy': 'alphabetical', 'ignore-tags': 'v*, latest' },
      writeBack: 'argocd',
      running: `${image(REPOS.semver)}:1.0.0`,
    });
    const first = await runOnce(prefix, name);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(results(1));
    expect(patchedParams(name)).toEqual({ 'image.repository': image(REPOS.semver), 'image.tag': 'dev-abc' });
    const trail = await audit(prefix, name);
    expect(trail.find((r) => r.kind === 'select')).toMatchObject({
      selected: 'dev-abc',
      detail: { tagsFound: 11, afterFilters: 9, ranking: ['dev-abc', 'Zeta', '2.0', '1.3.0-rc.1', '1.2.0-rc.1'] },
    });
    const written = trail.find((r) => r.kind === 'write-back');
    expect(written).toMatchObject({ outcome: 'updated' });
    expect(written?.resourceVersion).toBeTruthy();

    setRunning(name, `${image(REPOS.semver)}:dev-abc`);
    const patches = env.kube.requests.filter((r) => r.method === 'PATCH').length;
    const second = await runOnce(prefix, name);
    expect(second.stdout).toContain(results(0));
    expect(env.kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(patches);
    expect(await lastSelect(prefix, name)).toMatchObject({
      outcome: 'noop',
      reason: 'already-newest',
      selected: 'dev-abc',
    });
  }, 60_000);
});

describe('newest-build through run --once (multi-arch)', () => {
  it("commits the newest build for linux/amd64, ranking indexes by the wanted platform's date only", async () => {
    const name = 'newest-multi';
    const prefix = uniquePrefix('newest');
    addApp({
      name,
      imageList: image(REPOS.multi),
      settings: { 'update-strategy': 'newest-build' },
      writeBack: GIT,
      running: `${image(REPOS.multi)}:m1`,
    });
    const run = await runOnce(prefix, name);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(results(1));
    expect(await committedParams(name)).toEqual({ 'image.repository': image(REPOS.multi), 'image.tag': 'm2' });
    const select = await lastSelect(prefix, name);
    expect(select).toMatchObject({
      outcome: 'planned',
      current: 'm1',
      selected: 'm2',
      detail: { tagsFound: 4, afterFilters: 4, afterPlatforms: 2, ranking: ['m2', 'm1'] },
    });
    expect(select.message).toContain(
      '2 for platform(s) linux/amd64; 2 of them have build dates, newest build 2024-02-01T00:00:00Z ("m2")',
    );
  }, 60_000);

  it('patches arm-only for an app that wants linux/arm64', async () => {
    const name = 'newest-arm';
    const prefix = uniquePrefix('newest-arm');
    addApp({
      name,
      imageList: image(REPOS.multi),
      settings: { 'update-strategy': 'newest-build', platforms: 'linux/arm64' },
      writeBack: 'argocd',
      running: `${image(REPOS.multi)}:m1`,
    });
    const run = await runOnce(prefix, name);
    expect(run.stdout).toContain(results(1));
    expect(patchedParams(name)['image.tag']).toBe('arm-only');
    expect(await lastSelect(prefix, name)).toMatchObject({
      selected: 'arm-only',
      detail: { afterPlatforms: 2, ranking: ['arm-only', 'm1'] },
    });
  }, 60_000);
});

describe('digest through run --once', () => {
  it('writes tag@digest, stays put while the digest is unchanged, and follows a re-push', async () => {
    const name = 'digest-git';
    const prefix = uniquePrefix('digest');
    const ref = image(REPOS.follow);
    const d1 = pushed.digests.follow.stable!;
    addApp({
      name,
      imageList: `${ref}:stable`,
      settings: { 'update-strategy': 'digest' },
      writeBack: GIT,
      running: `${ref}:stable`,
    });

    const first = await runOnce(prefix, name);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(results(1));
    expect(await committedParams(name)).toEqual({ 'image.repository': ref, 'image.tag': `stable@${d1}` });
    expect(await lastSelect(prefix, name)).toMatchObject({
      outcome: 'planned',
      current: 'stable',
      selected: `stable@${d1}`,
    });
    const commits = (await env.git.log(REPO)).length;

    setRunning(name, `${ref}:stable@${d1}`);
    const unchanged = await runOnce(prefix, name);
    expect(unchanged.stdout).toContain(results(0));
    expect(await env.git.log(REPO)).toHaveLength(commits);
    const noop = await lastSelect(prefix, name);
    expect(noop).toMatchObject({
      outcome: 'noop',
      reason: 'already-newest',
      current: `stable@${d1}`,
      selected: `stable@${d1}`,
    });
    expect(noop.message).toContain('following tag "stable"');

    const d2 = await repushFollowed(env.registry, 2);
    expect(d2).not.toBe(d1);
    const repushed = await runOnce(prefix, name);
    expect(repushed.stdout).toContain(results(1));
    expect(await committedParams(name)).toEqual({ 'image.repository': ref, 'image.tag': `stable@${d2}` });
    const log = await env.git.log(REPO);
    expect(log).toHaveLength(commits + 1);
    expect(log[0]!.message).toContain(`updates image strategies/follow tag '${d1}' to '${d2}'`); // .NewTag is the digest when set
    expect(await lastSelect(prefix, name)).toMatchObject({
      outcome: 'planned',
      current: `stable@${d1}`,
      selected: `stable@${d2}`,
    });

    // Argo CD has not synced yet (still d1): the plan is re-applied, but the file already says d2
    const again = await runOnce(prefix, name);
    expect(again.code).toBe(0);
    expect(await env.git.log(REPO)).toHaveLength(commits + 1);
  }, 90_000);

  it('follows the INDEX digest of a multi-arch tag through the argocd method', async () => {
    const name = 'digest-index';
    const prefix = uniquePrefix('digest-index');
    const ref = image(REPOS.follow);
    addApp({
      name,
      imageList: `${ref}:edge`,
      settings: { 'update-strategy': 'digest' },
      writeBack: 'argocd',
      running: `${ref}:edge`,
    });
    const run = await runOnce(prefix, name);
    expect(run.stdout).toContain(results(1));
    expect(patchedParams(name)).toEqual({ 'image.repository': ref, 'image.tag': `edge@${pushed.digests.follow.edge}` });
  }, 60_000);
});

describe('metadata cache', () => {
  it('reads each manifest and config blob once: a second process on the same Redis only HEADs the tags', async () => {
    const name = 'cache-newest';
    const prefix = uniquePrefix('cache');
    addApp({
      name,
      imageList: image(REPOS.builds),
      settings: { 'update-strategy': 'newest-build' },
      writeBack: 'argocd',
      running: `${image(REPOS.builds)}:a-old`,
    });
    const count = (from: number) => {
      const reqs = proxy.requests.slice(from).filter((r) => r.includes(`/v2/${REPOS.builds}/`));
      return {
        head: reqs.filter((r) => r.startsWith('HEAD') && r.includes('/manifests/')).length,
        manifests: reqs.filter((r) => r.startsWith('GET') && r.includes('/manifests/')).length,
        blobs: reqs.filter((r) => r.startsWith('GET') && r.includes('/blobs/')).length,
      };
    };
    const tags = Object.keys(pushed.digests.builds).length;

    let mark = proxy.requests.length;
    const first = await runOnce(prefix, name);
    expect(first.stdout).toContain(results(1));
    expect(patchedParams(name)['image.tag']).toBe('tie-y');
    expect(count(mark)).toEqual({ head: tags, manifests: tags, blobs: tags });

    mark = proxy.requests.length;
    const second = await runOnce(prefix, name);
    expect(second.code).toBe(0);
    expect(count(mark)).toEqual({ head: tags, manifests: 0, blobs: 0 });
    expect((await lastSelect(prefix, name)).selected).toBe('tie-y');
  }, 60_000);
});
