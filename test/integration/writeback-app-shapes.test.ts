/**
 * Every app shape through the real pipeline (Redis, registry, git http-backend, the Kubernetes API
 * stand-in through client-node): a multi-source app (chart from git + a `$values` ref source) on the
 * argocd method (one element of `spec.sources` patched) and on the git method (the override file in
 * the chart source's path), Kustomize apps with `kustomization[:dir]` targets and the default override
 * file, rendered from a fresh clone with the real `kubectl kustomize`, and `helmvalues:<file>` targets.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Services } from '../../apps/cli/compose/services.ts';
import type { ApplicationStore } from '../../shared/ports/application-store.ts';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { HELM_FILES, SEED_IMAGE } from '../fixtures/gitops-demo.ts';
import {
  KUSTOMIZE_SHOP_FILES,
  PROD_VALUES,
  VALUES_FILES,
  cloneRepo,
  deploymentImages,
  kustomizeApplication,
  kustomizeBuild,
  kustomizeBuildWithImages,
  multiSourceApplication,
} from '../fixtures/kustomize-apps.ts';
import { startPipeline, wrapControlPlanes } from '../helpers/pipeline.ts';

const CREDS = 'git:secret:argocd/git-creds';
const CHART_REPO = 'gitops-demo';

const suite = writebackSuite();

const patchesOf = (name: string) =>
  suite.env.kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/applications/${name}`));
const param = (source: Record<string, any>, name: string) =>
  (source.helm?.parameters as { name: string; value: string }[] | undefined)?.find((p) => p.name === name);

async function valuesRepo(name: string): Promise<string> {
  return suite.env.git.createRepo(name, VALUES_FILES);
}

async function shopRepo(name: string): Promise<string> {
  return suite.env.git.createRepo(name, KUSTOMIZE_SHOP_FILES);
}

/** Renders `path` of a fresh clone of `repo` (optionally with `.argocd-source` kustomize images). */
async function render(repo: string, path: string, images?: string[]) {
  const clone = await cloneRepo(suite.env.git.repoDir(repo));
  try {
    const docs = images
      ? await kustomizeBuildWithImages(clone.dir, path, images)
      : await kustomizeBuild(`${clone.dir}/${path}`);
    return deploymentImages(docs);
  } finally {
    await clone.done();
  }
}

/** Lets another writer reorder the Application's sources right after tagflow's first GET of it. */
function reorderSourcesAfterFirstGet(name: string) {
  return (s: Services): Services => {
    let armed = true;
    const racing = (real: ApplicationStore): ApplicationStore => ({
      list: (ns, o) => real.list(ns, o),
      mergePatch: (ref, patch, rv) => real.mergePatch(ref, patch, rv),
      jsonPatch: (ref, ops, rv) => real.jsonPatch(ref, ops, rv),
      async get(ref) {
        const app = await real.get(ref);
        if (armed && ref.name === name) {
          armed = false;
          const live = suite.env.application(name)!;
          live.spec.sources.reverse();
          live.status.sourceTypes.reverse();
          suite.env.kube.put(live);
        }
        return app;
      },
    });
    return {
      ...s,
      controlPlanes: wrapControlPlanes(s.controlPlanes, (cp) => ({ applications: racing(cp.applications) })),
    };
  };
}

describe('multi-source app, argocd method', () => {
  it('patches spec.sources[1].helm (the chart) with a JSON patch; the values source and the rest stay as they were', async () => {
    const valuesRepoURL = await valuesRepo('values-argocd');
    const name = 'multi-argocd';
    suite.env.kube.put(
      multiSourceApplication({ name, writeBack: 'argocd', chartRepoURL: suite.env.repoURL, valuesRepoURL }),
    );
    const before = suite.env.application(name)!;
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_considered: 1, images_updated: 1, errors: 0 });
    const after = suite.env.application(name)!;
    expect(after.spec.source).toBeUndefined();
    expect(after.spec.sources).toHaveLength(2);
    expect(after.spec.sources[0]).toEqual(before.spec.sources[0]);
    const chart = after.spec.sources[1];
    expect(param(chart, 'image.tag')).toEqual({ name: 'image.tag', value: 'v2.0', forceString: true });
    expect(param(chart, 'replicaCount')).toEqual({ name: 'replicaCount', value: '2' });
    expect(chart.helm.valueFiles).toEqual(['$values/envs/prod/values.yaml']);
    expect({ ...chart, helm: undefined }).toEqual({ ...before.spec.sources[1], helm: undefined });
    expect(after.spec.destination).toEqual(before.spec.destination);

    const patches = patchesOf(name);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.contentType).toMatch(/^application\/json-patch\+json/);
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${name}` });
    expect(audit.find((r) => r.kind === 'write-back')).toMatchObject({
      outcome: 'updated',
      resourceVersion: after.metadata.resourceVersion,
    });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 0, errors: 0 });
    expect(patchesOf(name)).toHaveLength(1);
  });

  it('sources reordered between GET and PATCH: 409, re-read, the chart patched at its new index', async () => {
    const valuesRepoURL = await valuesRepo('values-reorder');
    const name = 'multi-reorder';
    suite.env.kube.put(
      multiSourceApplication({ name, writeBack: 'argocd', chartRepoURL: suite.env.repoURL, valuesRepoURL }),
    );
    const values = suite.env.application(name)!.spec.sources[0];
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { prepare: reorderSourcesAfterFirstGet(name) });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const after = suite.env.application(name)!;
    expect(after.status.sourceTypes).toEqual(['Helm', 'Directory']);
    expect(param(after.spec.sources[0], 'image.tag')?.value).toBe('v2.0');
    expect(after.spec.sources[1]).toEqual(values);
    const statuses = patchesOf(name).map((p) => p.status);
    expect(statuses[0]).toBe(409);
    expect(statuses).toContain(200);
  });
});

describe('multi-source app, git method', () => {
  it('writes .argocd-source-<app>.yaml in the chart source’s path of the chart repository; the values repository is untouched', async () => {
    const valuesRepoURL = await valuesRepo('values-git');
    const name = 'multi-git';
    suite.env.kube.put(
      multiSourceApplication({ name, writeBack: CREDS, chartRepoURL: suite.env.repoURL, valuesRepoURL }),
    );
    const valuesBefore = await suite.env.git.log('values-git');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const file = await suite.env.git.readFile(CHART_REPO, `manifests/helm/.argocd-source-${name}.yaml`);
    expect(parse(file!)).toEqual({
      helm: {
        parameters: [
          { name: 'image.name', value: SEED_IMAGE, forcestring: true },
          { name: 'image.tag', value: 'v2.0', forcestring: true },
        ],
      },
    });
    expect(await suite.env.git.readFile(CHART_REPO, `.argocd-source-${name}.yaml`)).toBeNull();
    expect(await suite.env.git.log('values-git')).toEqual(valuesBefore);
    expect(suite.env.application(name)!.spec.sources[1].helm.parameters).toEqual([
      { name: 'replicaCount', value: '2' },
    ]);
  });

  it('helmvalues:/envs/prod/values.yaml with git-repository = the values source: its file has the new tag, byte for byte otherwise', async () => {
    const valuesRepoURL = await valuesRepo('values-helmvalues');
    const name = 'multi-helmvalues';
    suite.env.kube.put(
      multiSourceApplication({
        name,
        writeBack: CREDS,
        chartRepoURL: suite.env.repoURL,
        valuesRepoURL,
        annotations: { 'git-repository': valuesRepoURL, 'write-back-target': 'helmvalues:/envs/prod/values.yaml' },
      }),
    );
    const chartBefore = await suite.env.git.log(CHART_REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    // the values source's targetRevision (main) was checked out and pushed to
    const values = await suite.env.git.readFile('values-helmvalues', 'envs/prod/values.yaml', 'main');
    expect(values).toBe(PROD_VALUES.replace('tag: v1.0 #', 'tag: v2.0 #'));
    expect(await suite.env.git.log(CHART_REPO)).toEqual(chartBefore);
  });
});

describe('single-source Helm app, helmvalues target', () => {
  it('helmvalues:values.yaml (relative to the source path): tag set, the comments kept', async () => {
    const name = suite.env.app({ name: 'helmvalues-single', writeBack: CREDS });
    const app = suite.env.application(name)!;
    app.metadata.annotations!['argocd-image-updater.argoproj.io/write-back-target'] = 'helmvalues:values.yaml';
    suite.env.kube.put(app);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const values = (await suite.env.git.readFile(CHART_REPO, 'manifests/helm/values.yaml'))!;
    expect(parse(values)).toMatchObject({ replicaCount: 1, image: { tag: 'v2.0', repository: SEED_IMAGE } });
    expect(values).toContain('# Overrides the image tag whose default is the chart appVersion.');
    expect(values).not.toBe(HELM_FILES['manifests/helm/values.yaml']);
  });
});

describe('Kustomize apps, git method, rendered with kubectl kustomize', () => {
  it('write-back-target kustomization: the overlay’s kustomization.yaml gets the image; the rendered Deployment runs v2.0', async () => {
    const repoURL = await shopRepo('shop-overlay');
    const name = 'kust-overlay';
    suite.env.kube.put(
      kustomizeApplication({
        name,
        writeBack: CREDS,
        repoURL,
        path: 'overlays/prod',
        annotations: { 'write-back-target': 'kustomization' },
      }),
    );
    expect(await render('shop-overlay', 'overlays/prod')).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v1.0`] });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const overlay = parse((await suite.env.git.readFile('shop-overlay', 'overlays/prod/kustomization.yaml'))!);
    expect(overlay).toMatchObject({ namePrefix: 'prod-', resources: ['../../base'] });
    expect(overlay.images).toEqual([expect.objectContaining({ name: SEED_IMAGE, newTag: 'v2.0' })]);
    expect(await suite.env.git.readFile('shop-overlay', 'base/kustomization.yaml')).toBe(
      KUSTOMIZE_SHOP_FILES['base/kustomization.yaml'],
    );
    expect(await render('shop-overlay', 'overlays/prod')).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v2.0`] });
  });

  it('write-back-target kustomization:../../base: the base’s images entry moves (comments and blank lines kept)', async () => {
    const repoURL = await shopRepo('shop-base');
    const name = 'kust-base';
    suite.env.kube.put(
      kustomizeApplication({
        name,
        writeBack: CREDS,
        repoURL,
        path: 'overlays/prod',
        annotations: { 'write-back-target': 'kustomization:../../base' },
      }),
    );
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const base = (await suite.env.git.readFile('shop-base', 'base/kustomization.yaml'))!;
    expect(base.startsWith('# the shop base: one Deployment\n')).toBe(true);
    expect(base).toContain('\n\nresources:\n');
    expect(parse(base).images).toEqual([expect.objectContaining({ name: SEED_IMAGE, newTag: 'v2.0' })]);
    expect(await suite.env.git.readFile('shop-base', 'overlays/prod/kustomization.yaml')).toBe(
      KUSTOMIZE_SHOP_FILES['overlays/prod/kustomization.yaml'],
    );
    expect(await render('shop-base', 'overlays/prod')).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v2.0`] });
    expect(await render('shop-base', 'base')).toEqual({ shop: [`${SEED_IMAGE}:v2.0`] });
  });

  it('default target: .argocd-source-<app>.yaml with kustomize.images, which rendered as Argo CD applies them gives v2.0', async () => {
    await shopRepo('shop-override');
    const name = 'kust-override';
    suite.env.kube.put(
      kustomizeApplication({
        name,
        writeBack: CREDS,
        repoURL: suite.env.git.repoUrl('shop-override'),
        path: 'overlays/prod',
      }),
    );
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const file = await suite.env.git.readFile('shop-override', `overlays/prod/.argocd-source-${name}.yaml`);
    const images = parse(file!).kustomize.images as string[];
    expect(images).toEqual([`${SEED_IMAGE}=${SEED_IMAGE}:v2.0`]);
    // the kustomizations are untouched: without the override the app still renders v1.0
    expect(await render('shop-override', 'overlays/prod')).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v1.0`] });
    expect(await render('shop-override', 'overlays/prod', images)).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v2.0`] });
  });

  it('multi-source with an implicit Kustomize source (#1096): found by status.sourceTypes, its kustomization updated', async () => {
    const repoURL = await shopRepo('shop-multi');
    const name = 'kust-multi';
    const app = kustomizeApplication({
      name,
      writeBack: CREDS,
      repoURL,
      path: 'overlays/prod',
      annotations: { 'write-back-target': 'kustomization' },
    });
    // the overlay without a kustomize block: Argo CD detects it from its kustomization.yaml
    const overlay = { repoURL, path: 'overlays/prod', targetRevision: 'HEAD' };
    const chart = { repoURL: 'https://charts.example.com', chart: 'redis', targetRevision: '20.11.*', helm: {} };
    const { source: _single, ...spec } = app.spec;
    suite.env.kube.put({
      ...app,
      spec: { ...spec, sources: [overlay, chart] },
      status: { summary: app.status.summary, sourceTypes: ['Kustomize', 'Helm'] },
    });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(await render('shop-multi', 'overlays/prod')).toEqual({ 'prod-shop': [`${SEED_IMAGE}:v2.0`] });
    expect(suite.env.application(name)!.spec.sources[1]).toEqual(chart);
  });
});
