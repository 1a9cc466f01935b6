/**
 * Pull/merge requests through the real pipeline: apps configured by an ImageUpdater with
 * `gitConfig.pullRequest`, the real registry, real git (bare repos behind git http-backend) and the
 * GitHub/GitLab REST stand-in. One head branch and one pull request per repository + base batch,
 * no duplicate on a re-run, a newer tag superseding (and closing) the older pull request, GitHub App
 * tokens fetched once, and a forge refusing the token failing the write-back once, clearly.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { HELM_FILES } from '../fixtures/gitops-demo.ts';
import { GIT_PASSWORD } from '../fixtures/seed-environment.ts';
import { startPipeline } from '../helpers/pipeline.ts';
import { startForgeServer, type ForgeServer } from '../services/forge-server.ts';
import { git, startGitServer, type GitServer } from '../services/git-server.ts';
import { opaqueSecret } from '../services/kube-fixtures.ts';

const IU = 'argocd-image-updater.argoproj.io/v1alpha1';
const suite = writebackSuite();
let forge: ForgeServer;
const updaters: string[] = [];

/** Installation tokens the forge issues become valid git passwords of the GitHub App's git server. */
const appGitUsers: Record<string, string> = {};

beforeAll(async () => {
  forge = await startForgeServer({ onTokenIssued: (t) => (appGitUsers['x-access-token'] = t) });
  process.env.TAGFLOW_GITHUB_API_URL = forge.url;
  process.env.TAGFLOW_GITLAB_API_URL = forge.gitlabApiUrl;
});
afterEach(() => {
  for (const name of updaters.splice(0)) suite.env.kube.delete(IU, 'imageupdaters', 'argocd', name);
});
afterAll(async () => {
  delete process.env.TAGFLOW_GITHUB_API_URL;
  delete process.env.TAGFLOW_GITLAB_API_URL;
  await forge?.close();
});

/** An ImageUpdater for apps `<prefix>-*` tracking `image` with a pull request write-back to `repoUrl` main. */
function imageUpdater(o: { name: string; image: string; repoUrl: string; method: string; pullRequest: object }) {
  updaters.push(o.name);
  suite.env.kube.put({
    apiVersion: IU,
    kind: 'ImageUpdater',
    metadata: { name: o.name, namespace: 'argocd' },
    spec: {
      writeBackConfig: {
        method: o.method,
        gitConfig: { repository: o.repoUrl, branch: 'main', pullRequest: o.pullRequest },
      },
      applicationRefs: [
        {
          namePattern: `${o.name}-*`,
          images: [
            {
              alias: 'echoserver',
              imageName: o.image,
              commonUpdateSettings: { allowTags: 'regexp:^v[0-9]' },
              manifestTargets: { helm: { name: 'image.repository', tag: 'image.tag' } },
            },
          ],
        },
      ],
    },
  });
}

/** A repository `acme/<name>` on `server` known to the forge, `count` apps of it tracking a fresh image. */
async function fixture(o: { name: string; provider: 'github' | 'gitlab'; count: number; server?: GitServer }) {
  const server = o.server ?? suite.env.git;
  const path = `acme/${o.name}`;
  const repoUrl = await server.createRepo(path, HELM_FILES);
  forge.addRepo(o.provider, path, server.repoDir(path));
  await suite.env.pushTags(`team/${o.name}`, ['v1.0', 'v2.0']);
  const image = `${SEED_PREFIX}/team/${o.name}`;
  const apps = Array.from({ length: o.count }, (_, i) =>
    suite.env.app({
      name: `${o.name}-${i + 1}`,
      image,
      path: `apps/${o.name}-${i + 1}`,
      writeBack: 'argocd',
      repoURL: repoUrl,
    }),
  );
  return { server, path, repoUrl, image, apps };
}

const heads = async (dir: string) =>
  (await git(['--git-dir', dir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/']))
    .split('\n')
    .filter((b) => b !== '');

const writeBacks = async (app: string) =>
  (await suite.pipeline!.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter((r) => r.kind === 'write-back');

describe('pull requests (GitHub)', () => {
  it('three apps of one repository: one head branch, one pull request listing all three, the base untouched; no duplicate on a re-run; a newer tag supersedes it', async () => {
    const f = await fixture({ name: 'prgh', provider: 'github', count: 3 });
    forge.grantToken(GIT_PASSWORD, { repos: '*', write: true });
    imageUpdater({
      name: 'prgh',
      image: f.image,
      repoUrl: f.repoUrl,
      method: 'git:secret:git-creds',
      pullRequest: { github: {}, labels: ['image-update', 'automated'] },
    });
    const mainBefore = await f.server.log(f.path);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 3, images_updated: 3, errors: 0 });
    const pulls = forge.pulls(f.path);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr).toMatchObject({ state: 'open', base: 'main', labels: ['image-update', 'automated'] });
    expect(pr.head).toMatch(/^image-updater-[0-9a-f]{8}-[0-9a-f]{64}$/);
    expect(pr.title).toBe('build: automatic update of 3 applications');
    for (const app of f.apps) {
      expect(pr.body).toContain(`argocd/${app}`);
      const file = `apps/${app}/.argocd-source-${app}.yaml`;
      expect(await f.server.readFile(f.path, file, pr.head)).toContain('value: v2.0');
      expect(await f.server.readFile(f.path, file)).toBeNull();
    }
    expect(pr.body).toContain(`\`${f.image}\`: \`v1.0\` → \`v2.0\``);
    expect(await heads(f.server.repoDir(f.path))).toEqual(['main', pr.head].sort());
    expect(await f.server.log(f.path)).toEqual(mainBefore);
    const headLog = await f.server.log(f.path, pr.head);
    expect(headLog).toHaveLength(mainBefore.length + 1);
    for (const app of f.apps)
      expect(await writeBacks(app)).toEqual([
        expect.objectContaining({
          outcome: 'updated',
          commitSha: headLog[0]!.sha,
          pullRequest: { number: 1, url: pr.url },
        }),
      ]);
    expect(suite.pipeline.logs().some((l) => l.msg === 'Opened a pull request' && l.pullRequest === pr.url)).toBe(true);

    // the same tags again: the open pull request is found and kept, nothing new is pushed
    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 3, images_updated: 0, errors: 0 });
    expect(forge.pulls(f.path)).toHaveLength(1);
    expect(await f.server.log(f.path, pr.head)).toEqual(headLog);
    expect((await writeBacks(f.apps[0]!))[0]).toMatchObject({ outcome: 'noop', pullRequest: { number: 1 } });

    // a newer tag: a new head branch and pull request; the old one closed with a comment naming it, its branch gone
    await suite.env.pushTags('team/prgh', ['v3.0']);
    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 3, images_updated: 3, errors: 0 });
    const [old, next] = forge.pulls(f.path);
    expect(next).toMatchObject({ number: 2, state: 'open', base: 'main' });
    expect(next!.head).not.toBe(old!.head);
    expect(next!.head.slice(0, 'image-updater-'.length + 9)).toBe(old!.head.slice(0, 'image-updater-'.length + 9));
    expect(next!.body).toContain('`v1.0` → `v3.0`');
    expect(old).toMatchObject({ state: 'closed' });
    expect(old!.comments).toEqual([expect.stringContaining(`#2 (${next!.url})`)]);
    expect(await heads(f.server.repoDir(f.path))).toEqual(['main', next!.head].sort());
    expect(await f.server.readFile(f.path, `apps/${f.apps[0]}/.argocd-source-${f.apps[0]}.yaml`, next!.head)).toContain(
      'value: v3.0',
    );
    expect(await f.server.log(f.path)).toEqual(mainBefore);
  }, 120_000);
});

describe('pull requests that could not be opened, or were closed', () => {
  it('a head pushed without its pull request (a refused token) gets it on the next run; one closed by someone is not reopened', async () => {
    const f = await fixture({ name: 'prlate', provider: 'github', count: 1 });
    forge.grantToken(GIT_PASSWORD, { repos: [f.path], write: false });
    imageUpdater({
      name: 'prlate',
      image: f.image,
      repoUrl: f.repoUrl,
      method: 'git:secret:git-creds',
      pullRequest: { github: {} },
    });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 0, errors: 1 });
    expect(forge.pulls(f.path)).toEqual([]);
    const [head] = (await heads(f.server.repoDir(f.path))).filter((b) => b !== 'main');
    expect(head).toMatch(/^image-updater-/);

    forge.grantToken(GIT_PASSWORD, { repos: '*', write: true });
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 0, errors: 0 });
    expect(forge.pulls(f.path)).toMatchObject([{ number: 1, state: 'open', head }]);

    forge.pulls(f.path)[0]!.state = 'closed'; // a maintainer declines it
    expect(await suite.pipeline.runOnce()).toMatchObject({ errors: 0 });
    expect(forge.pulls(f.path)).toHaveLength(1);
  }, 120_000);
});

describe('merge requests (GitLab)', () => {
  it('two apps: one merge request with its labels set at creation, PRIVATE-TOKEN auth; a re-run opens no second one', async () => {
    const f = await fixture({ name: 'prgl', provider: 'gitlab', count: 2 });
    forge.grantToken(GIT_PASSWORD, { repos: '*', write: true });
    imageUpdater({
      name: 'prgl',
      image: f.image,
      repoUrl: f.repoUrl,
      method: 'git:secret:git-creds',
      pullRequest: { gitlab: {}, labels: ['images'] },
    });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 2, images_updated: 2, errors: 0 });
    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 2, images_updated: 0, errors: 0 });
    const mrs = forge.pulls(f.path);
    expect(mrs).toHaveLength(1);
    expect(mrs[0]).toMatchObject({ state: 'open', base: 'main', labels: ['images'] });
    expect(mrs[0]!.url).toContain(`/${f.path}/-/merge_requests/1`);
    for (const app of f.apps) expect(mrs[0]!.body).toContain(`argocd/${app}`);
    const encoded = `/api/v4/projects/${encodeURIComponent(f.path)}/merge_requests`;
    const posts = forge.requests.filter((r) => r.method === 'POST' && r.path === encoded);
    expect(posts.map((r) => r.status)).toEqual([201]);
    expect(posts[0]!.auth).toBe(GIT_PASSWORD.slice(-12));
    expect(forge.requests.some((r) => r.path.startsWith(`/repos/${f.path}`))).toBe(false);
    expect((await writeBacks(f.apps[1]!)).map((r) => r.outcome)).toEqual(['noop', 'updated']);
  }, 120_000);
});

describe('GitHub App credentials', () => {
  it('the installation token is fetched once and reused for git and the API across two write-backs; the key never shows', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    forge.addApp({
      id: '31337',
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      installations: { '777': { repos: ['acme/prapp'], write: true } },
    });
    const server = await startGitServer({ users: appGitUsers });
    try {
      const f = await fixture({ name: 'prapp', provider: 'github', count: 1, server });
      suite.env.kube.put(
        opaqueSecret('argocd', 'gh-app', {
          githubAppID: '31337',
          githubAppInstallationID: '777',
          githubAppPrivateKey: pem,
          githubAppEnterpriseBaseUrl: forge.url,
        }),
      );
      imageUpdater({
        name: 'prapp',
        image: f.image,
        repoUrl: f.repoUrl,
        method: 'git:secret:gh-app',
        pullRequest: { github: {} },
      });
      const issuedBefore = forge.issued.length;
      suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

      expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
      await suite.env.pushTags('team/prapp', ['v3.0']);
      expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });

      expect(forge.issued.slice(issuedBefore).map((i) => [i.appId, i.installationId])).toEqual([['31337', '777']]);
      const token = forge.issued.at(-1)!.token;
      expect(server.requests.filter((r) => r.path.endsWith('/git-receive-pack')).map((r) => r.user)).toEqual([
        'x-access-token',
        'x-access-token',
      ]);
      const pulls = forge.pulls(f.path);
      expect(pulls.map((p) => p.state)).toEqual(['closed', 'open']);
      const calls = forge.requests.filter((r) => r.path.startsWith('/repos/acme/prapp/'));
      expect(calls.length).toBeGreaterThan(3);
      expect(new Set(calls.map((r) => r.auth))).toEqual(new Set([token.slice(-12)]));
      const text = suite.pipeline.logText() + JSON.stringify(await suite.pipeline.rt.audit.query({}));
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(token);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('a forge refusing the request', () => {
  it.each([
    ['401: an unknown token', 'prdeny401', 'forge.unauthorized', 'refused the token'],
    ['403: a read-only token', 'prdeny403', 'forge.forbidden', 'no permission'],
    ['404: a repository the forge does not have', 'prdeny404', 'forge.not-found', 'not found'],
  ])(
    '%s fails the write-back once, with a clear error naming the repository',
    async (_name, name, code, words) => {
      const f = await fixture({ name, provider: 'github', count: 2 });
      suite.env.kube.put(opaqueSecret('argocd', `git-${name}`, { username: 'gitops-bot', password: GIT_PASSWORD }));
      forge.revokeToken(GIT_PASSWORD);
      if (code === 'forge.forbidden') forge.grantToken(GIT_PASSWORD, { repos: [f.path], write: false });
      if (code === 'forge.not-found') {
        forge.grantToken(GIT_PASSWORD, { repos: '*', write: true });
        forge.removeRepo(f.path);
      }
      imageUpdater({
        name,
        image: f.image,
        repoUrl: f.repoUrl,
        method: `git:secret:git-${name}`,
        pullRequest: { github: {} },
      });
      const before = forge.requests.length;
      suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

      expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 2, images_updated: 0, errors: 2 });
      for (const app of f.apps) {
        const [record, ...more] = await writeBacks(app);
        expect(more).toEqual([]);
        expect(record).toMatchObject({ outcome: 'failed', reason: code, attempt: 1 });
        expect(record!.message).toContain('GitHub');
        expect(record!.message).toContain(f.path);
        expect(record!.message).toContain(words);
        expect(record!.message).not.toContain(GIT_PASSWORD);
      }
      const errors = suite.pipeline.logs().filter((l) => l.level === 'error' && l.code === code);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]!.msg).toContain(f.path);
      // one request (the read-only token also gets to try creating it): no retry storm
      const asked = forge.requests.slice(before).filter((r) => r.path.startsWith(`/repos/${f.path}`));
      expect(asked.length).toBeLessThanOrEqual(2);
      expect(forge.pulls(f.path)).toEqual([]);
      expect(suite.pipeline.logText()).not.toContain(GIT_PASSWORD);
      forge.grantToken(GIT_PASSWORD, { repos: '*', write: true });
    },
    120_000,
  );
});
