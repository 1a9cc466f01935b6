/**
 * Example ImageUpdater objects shared by the unit tests (not used by production code). The CRD test
 * checks every one of them against deploy/crds/ and the parser, so the examples stay valid.
 */
import { compileSelection, type SelectableApp } from './select.ts';
import { parseImageUpdater, type ImageUpdater } from './parse.ts';
import { selectApplication } from './select-application.ts';

export const API = 'argocd-image-updater.argoproj.io/v1alpha1';
export const A = 'argocd-image-updater.argoproj.io/';

/** A fleet CR exercising every level: global defaults, per-ref overrides, per-image overrides. */
export const FLEET = {
  apiVersion: API,
  kind: 'ImageUpdater',
  metadata: { namespace: 'argocd', name: 'fleet', generation: 3, uid: 'u-1', labels: { team: 'platform' } },
  spec: {
    commonUpdateSettings: {
      updateStrategy: 'semver',
      allowTags: 'regexp:^v?[0-9]',
      ignoreTags: ['*-rc*'],
      platforms: ['linux/amd64'],
    },
    writeBackConfig: {
      method: 'git:secret:git-creds',
      gitConfig: {
        repository: 'https://git.example.com/org/deploy.git',
        branch: 'main',
        writeBackTarget: 'kustomization',
        pullRequest: { github: {}, labels: ['image-update'] },
      },
    },
    applicationRefs: [
      {
        namePattern: 'web-*',
        commonUpdateSettings: { ignoreTags: ['latest'] },
        writeBackConfig: { gitConfig: { branch: 'main:image-updater/{{.AppName}}', pullRequest: { gitlab: {} } } },
        images: [
          {
            alias: 'web',
            imageName: 'ghcr.io/org/web:~1.2',
            manifestTargets: { helm: { name: 'web.image.repository', tag: 'web.image.tag' } },
          },
          {
            alias: 'sidecar',
            imageName: 'ghcr.io/org/proxy',
            commonUpdateSettings: { updateStrategy: 'newest-build', platforms: ['linux/arm64'] },
            manifestTargets: { kustomize: { name: 'proxy' } },
          },
          {
            alias: 'cmp',
            imageName: 'ghcr.io/org/cmp:latest',
            commonUpdateSettings: { updateStrategy: 'digest', allowTags: 'any', ignoreTags: [] },
            manifestTargets: { plugin: { spec: 'CMP_IMAGE' } },
          },
        ],
      },
      {
        namePattern: 'web-prod',
        labelSelectors: { matchLabels: { tier: 'frontend' } },
        commonUpdateSettings: { updateStrategy: 'alphabetical', forceUpdate: true },
        writeBackConfig: { method: 'argocd' },
        images: [{ alias: 'web', imageName: 'ghcr.io/org/web' }],
      },
    ],
  },
};

/** A CR that hands apps over to their legacy annotations, with a CR fallback for the rest. */
export const LEGACY = {
  apiVersion: API,
  kind: 'ImageUpdater',
  metadata: { namespace: 'argocd', name: 'legacy' },
  spec: {
    imagesVerification: { cosignKey: { secretName: 'cosign', key: 'cosign.pub' } },
    applicationRefs: [
      {
        namePattern: 'legacy-*',
        useAnnotations: true,
        labelSelectors: { matchExpressions: [{ key: 'managed-by', operator: 'In', values: ['annotations'] }] },
      },
      {
        namePattern: 'legacy*',
        labelSelectors: {},
        images: [{ alias: 'app', imageName: 'registry.example.com/legacy/app' }],
      },
    ],
  },
};

/** The smallest valid CR. */
export const MINIMAL = {
  apiVersion: API,
  kind: 'ImageUpdater',
  metadata: { namespace: 'team-a', name: 'minimal' },
  spec: { applicationRefs: [{ namePattern: 'api', images: [{ alias: 'api', imageName: 'nginx' }] }] },
};

export const EXAMPLES = { FLEET, LEGACY, MINIMAL } as const;

/** Parse a CR that must be valid (fails the test otherwise). */
export function cr(raw: unknown): ImageUpdater {
  const r = parseImageUpdater(raw);
  if (!r.updater) throw new Error(`invalid test CR: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.updater;
}

/** A one-ref CR in `namespace` with the given ref (images default to one nginx image). */
export function oneRef(
  ref: Record<string, unknown>,
  over: { name?: string; namespace?: string; spec?: Record<string, unknown> } = {},
): ImageUpdater {
  return cr({
    metadata: { namespace: over.namespace ?? 'argocd', name: over.name ?? 'u' },
    spec: { ...over.spec, applicationRefs: [{ images: [{ alias: 'img', imageName: 'nginx' }], ...ref }] },
  });
}

export function app(name: string, more: Partial<SelectableApp> = {}): SelectableApp {
  return { namespace: 'argocd', name, ...more };
}

export function select(updaters: readonly ImageUpdater[], target: SelectableApp) {
  return selectApplication(compileSelection(updaters), target);
}
