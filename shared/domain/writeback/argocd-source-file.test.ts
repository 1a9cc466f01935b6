import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import type { ApplicationSource, HelmParameter } from '../model/application.ts';
import { parseImageRef } from '../image/image-ref.ts';
import { applyImageWrites } from './apply-to-source.ts';
import { argocdSourceFileName, renderArgocdSourceFile, sortHelmParameters } from './argocd-source-file.ts';
import type { ImageWrite } from './image-write.ts';
import { mergeKustomizeOverrideImages } from './kustomize-images.ts';
import { comparable, writeFromVector, type VectorImage } from './test-support.ts';

const src = (extra: Partial<ApplicationSource>): ApplicationSource => ({
  repoURL: 'https://git.example/repo.git',
  ...extra,
});

describe('writeback-kustomize-override vectors', () => {
  it.each(
    vectors<{ appKustomizeImages: string[]; originalFile: string | null; expectedYaml: string; compare: string }>(
      'writeback-kustomize-override',
    ),
  )('$id', (v) => {
    const out = renderArgocdSourceFile(
      v.originalFile,
      src({ kustomize: { images: v.appKustomizeImages } }),
      'Kustomize',
      [],
    );
    const c = comparable(out, v.expectedYaml, v.compare);
    expect(c.actual).toEqual(c.expected);
  });
});

describe('kustomize-merge vectors', () => {
  it.each(vectors<{ existing: string[] | null; new: string[]; expected: string[] }>('kustomize-merge'))(
    '$id $name',
    (v) => {
      const merged = mergeKustomizeOverrideImages(v.existing ?? [], v.new);
      expect([...merged].sort()).toEqual([...v.expected].sort());
    },
  );
});

describe('writeback-helm-override vectors', () => {
  it.each(
    vectors<{
      appHelmParameters: HelmParameter[] | null;
      images: (string | VectorImage)[];
      originalFile: string | null;
      expectedYaml: string;
      compare: string;
    }>('writeback-helm-override'),
  )('$id', (v) => {
    const source = src(v.appHelmParameters ? { helm: { parameters: v.appHelmParameters } } : {});
    const out = renderArgocdSourceFile(v.originalFile, source, 'Helm', v.images.map(writeFromVector));
    const c = comparable(out, v.expectedYaml, v.compare);
    expect(c.actual).toEqual(c.expected);
  });
});

describe('helm-param-sort vectors', () => {
  it.each(vectors<{ input: HelmParameter[]; expected: HelmParameter[] }>('helm-param-sort'))('$id $name', (v) => {
    expect(sortHelmParameters(v.input)).toEqual(v.expected);
  });
});

describe('writeback-plugin vectors', () => {
  it.each(
    vectors<{
      appPluginEnv: { name: string; value: string }[] | null;
      images: VectorImage[];
      originalFile: string | null;
      expectedYaml: string;
      compare: string;
    }>('writeback-plugin'),
  )('$id', (v) => {
    const source = src(v.appPluginEnv ? { plugin: { env: v.appPluginEnv } } : {});
    const out = renderArgocdSourceFile(v.originalFile, source, 'Plugin', v.images.map(writeFromVector));
    const c = comparable(out, v.expectedYaml, v.compare);
    expect(c.actual).toEqual(c.expected);
  });
});

describe('renderArgocdSourceFile: end to end from the Application', () => {
  it('renders the seed (gitops-demo, Helm, image-tag annotated only) byte-exactly', () => {
    const write: ImageWrite = {
      alias: 'echoserver',
      image: { ...parseImageRef('registry.cn-hangzhou.aliyuncs.com/haoshuwei24/echo-server'), tag: 'v2.0' },
      helm: { imageTag: 'image.tag' },
    };
    const source = src({ path: 'manifests/helm', helm: { valueFiles: ['values.yaml'] } });
    const updated = applyImageWrites(source, 'Helm', [write]);
    expect(renderArgocdSourceFile(null, updated, 'Helm', [write])).toBe(
      'helm:\n' +
        '  parameters:\n' +
        '  - name: image.name\n' +
        '    value: registry.cn-hangzhou.aliyuncs.com/haoshuwei24/echo-server\n' +
        '    forcestring: true\n' +
        '  - name: image.tag\n' +
        '    value: v2.0\n' +
        '    forcestring: true\n',
    );
  });

  it('renders a Kustomize app with a kustomize.image-name override', () => {
    const write: ImageWrite = {
      alias: 'app',
      image: { ...parseImageRef('ghcr.io/org/app'), tag: '1.2.4' },
      kustomize: { imageName: 'orig/name' },
    };
    const source = src({ kustomize: { images: ['quay.io/org/other:1.2.3', 'orig/name=ghcr.io/org/app:1.2.3'] } });
    const updated = applyImageWrites(source, 'Kustomize', [write]);
    expect(renderArgocdSourceFile(null, updated, 'Kustomize', [write])).toBe(
      'kustomize:\n  images:\n  - quay.io/org/other:1.2.3\n  - orig/name=ghcr.io/org/app:1.2.4\n',
    );
  });

  it('merges into an existing file, keeps a leading ---, sorts and quotes like go-yaml', () => {
    const existing =
      '# managed by image updater\n---\nhelm:\n  parameters:\n  - name: zz\n    value: keep\n    forcestring: false\n  - name: image.tag\n    value: "1.0"\n    forcestring: true\n';
    const write: ImageWrite = { alias: 'x', image: { ...parseImageRef('nginx'), tag: '1.10' } };
    const updated = applyImageWrites(src({ helm: {} }), 'Helm', [write]);
    expect(renderArgocdSourceFile(existing, updated, 'Helm', [write])).toBe(
      '# managed by image updater\n---\nhelm:\n  parameters:\n' +
        '  - name: image.name\n    value: nginx\n    forcestring: true\n' +
        '  - name: image.tag\n    value: "1.10"\n    forcestring: true\n' +
        '  - name: zz\n    value: keep\n    forcestring: false\n',
    );
  });

  it('writes only updater-managed parameters and the spec parameter when image-spec is set', () => {
    const write: ImageWrite = {
      alias: 'x',
      image: { ...parseImageRef('nginx'), tag: '1.2' },
      helm: { imageSpec: 'img.spec' },
    };
    const updated = applyImageWrites(src({ helm: { parameters: [{ name: 'other', value: 'v' }] } }), 'Helm', [write]);
    expect(renderArgocdSourceFile(null, updated, 'Helm', [write])).toBe(
      'helm:\n  parameters:\n  - name: img.spec\n    value: nginx:1.2\n    forcestring: true\n',
    );
  });

  it('is idempotent: re-rendering over its own output gives the same bytes', () => {
    const write: ImageWrite = { alias: 'x', image: { ...parseImageRef('quay.io/a/b'), tag: 'yes' } };
    const updated = applyImageWrites(src({ helm: {} }), 'Helm', [write]);
    const first = renderArgocdSourceFile(null, updated, 'Helm', [write]);
    expect(first).toContain('value: "yes"');
    expect(renderArgocdSourceFile(first, updated, 'Helm', [write])).toBe(first);
  });

  it('rewrites a file whose structure does not decode', () => {
    const write: ImageWrite = { alias: 'x', image: { ...parseImageRef('nginx'), tag: '2' } };
    const updated = applyImageWrites(src({ helm: {} }), 'Helm', [write]);
    const out = renderArgocdSourceFile('helm:\n  parameters: notalist\n', updated, 'Helm', [write]);
    expect(out).toBe(
      'helm:\n  parameters:\n  - name: image.name\n    value: nginx\n    forcestring: true\n  - name: image.tag\n    value: "2"\n    forcestring: true\n',
    );
  });
});

describe('argocdSourceFileName', () => {
  it.each([
    ['app', 'argocd', 'argocd', '.argocd-source-app.yaml'],
    ['app', '', 'argocd', '.argocd-source-app.yaml'],
    ['app', 'team-a', 'argocd', '.argocd-source-team-a_app.yaml'],
    ['app', 'team-a', 'default', '.argocd-source-app.yaml'],
  ])('%s in %s (controller %s) → %s', (app, ns, ctrl, expected) => {
    expect(argocdSourceFileName(app, ns, ctrl)).toBe(expected);
  });
});
