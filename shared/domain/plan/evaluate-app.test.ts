import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import type { Application } from '../model/application.ts';
import type { TagSnapshot } from '../model/tags.ts';
import { evaluateApp } from './evaluate-app.ts';
import { readApplicationImages } from '../annotations/index.ts';
import { buildIndexEntry } from '../fleet/index-entry.ts';

const P = 'argocd-image-updater.argoproj.io/';

function app(
  annotations: Record<string, string>,
  o: { type?: string; live?: string[]; source?: object } = {},
): Application {
  return {
    metadata: { name: 'demo', namespace: 'argocd', annotations },
    spec: { source: { repoURL: 'https://git.example/demo.git', path: 'app', ...(o.source ?? {}) } },
    status: { sourceType: o.type ?? 'Helm', summary: { images: o.live ?? [] } },
  };
}

function evaluate(application: Application, tagsByRepo: Record<string, string[]>, errors: Record<string, string> = {}) {
  const read = readApplicationImages(application.metadata.annotations);
  const { entry } = buildIndexEntry('cp', application, { ...read, writeBack: { config: null, problems: [] } }, []);
  const { tracked: images, problems } = entry;
  const snapshots = new Map<string, TagSnapshot>();
  for (const img of images) {
    const key =
      Object.keys(tagsByRepo).find((k) => img.repoKey.endsWith(k)) ??
      Object.keys(errors).find((k) => img.repoKey.endsWith(k));
    if (!key) continue;
    const error = errors[key] ? { code: 'registry.unavailable', message: errors[key]!, at: 1 } : undefined;
    snapshots.set(img.repoKey, {
      repoKey: img.repoKey,
      fetchedAt: 1,
      hash: 'h',
      tags: (tagsByRepo[key] ?? []).map((name) => ({ name })),
      error,
    });
  }
  return evaluateApp({ application, images, problems, snapshots, defaultPlatforms: ['linux/amd64'] });
}

interface UpdateVector {
  appType: string;
  appKustomizeImages: string[];
  liveImages: string[];
  configuredImage: string;
  registryTags: string[];
  expected: { errors: number; skipped: number; considered: number; updated: number };
}

describe('evaluateApp: argocd-image-updater UpdateApplication counters', () => {
  it.each(vectors<UpdateVector>('update-application'))('$id', (v) => {
    const a = app(
      { [`${P}image-list`]: v.configuredImage },
      { type: v.appType, live: v.liveImages, source: { kustomize: { images: v.appKustomizeImages } } },
    );
    const ev = evaluate(a, { foobar: v.registryTags, barbar: v.registryTags });
    expect(ev.counters).toEqual({
      images_considered: v.expected.considered,
      images_skipped: v.expected.skipped,
      errors: v.expected.errors,
    });
    expect(ev.changes).toHaveLength(v.expected.updated);
  });
});

describe('evaluateApp', () => {
  const seed = {
    [`${P}image-list`]: 'echoserver=registry.example.com/team/echo-server',
    [`${P}echoserver.helm.image-tag`]: 'image.tag',
    [`${P}echoserver.allow-tags`]: 'regexp:^v[1-9].*',
  };
  const seedTags = ['v1.0', 'v0.9', 'v2.0', 'v2.0-rc1', 'latest', 'dev-abc'];

  it('chooses v2.0 in the seed scenario and explains it', () => {
    const ev = evaluate(app(seed, { live: ['registry.example.com/team/echo-server:v1.0'] }), {
      'echo-server': seedTags,
    });
    expect(ev.changes).toEqual([
      {
        alias: 'echoserver',
        image: 'team/echo-server',
        fullName: 'registry.example.com/team/echo-server',
        oldTag: 'v1.0',
        newTag: 'v2.0',
      },
    ]);
    const d = ev.decisions[0]!;
    expect(d).toMatchObject({ outcome: 'update', current: 'v1.0', selected: 'v2.0', reason: 'updated' });
    expect(d.selection?.tagsFound).toBe(6);
    expect(d.selection?.afterFilters).toBe(3);
    expect(d.selection?.ranking[0]).toBe('v2.0');
    expect(ev.writes[0]!.image).toMatchObject({
      registry: 'registry.example.com',
      name: 'team/echo-server',
      tag: 'v2.0',
    });
  });

  it('reports already-newest without a change', () => {
    const ev = evaluate(app(seed, { live: ['registry.example.com/team/echo-server:v2.0'] }), {
      'echo-server': seedTags,
    });
    expect(ev.changes).toEqual([]);
    expect(ev.decisions[0]).toMatchObject({ outcome: 'current', reason: 'already-newest' });
    expect(ev.counters).toEqual({ images_considered: 1, images_skipped: 0, errors: 0 });
    expect(ev.writes).toHaveLength(1);
  });

  it('does not re-plan a change already in the live spec (argocd method before a sync)', () => {
    const a = app(seed, {
      live: ['registry.example.com/team/echo-server:v1.0'],
      source: {
        helm: {
          parameters: [
            { name: 'image.name', value: 'registry.example.com/team/echo-server', forceString: true },
            { name: 'image.tag', value: 'v2.0', forceString: true },
          ],
        },
      },
    });
    const ev = evaluate(a, { 'echo-server': seedTags });
    expect(ev.changes).toEqual([]);
    expect(ev.decisions[0]).toMatchObject({ outcome: 'already-set' });
  });

  it('keeps going after a bad annotation on one image and a registry error on another', () => {
    const a = app(
      {
        [`${P}image-list`]: 'a=registry.example.com/x/a, b=registry.example.com/x/b, c=registry.example.com/x/c:~1.0',
        [`${P}a.allow-tags`]: 'regexp:(unclosed',
      },
      { live: ['registry.example.com/x/a:1.0.0', 'registry.example.com/x/b:1.0.0', 'registry.example.com/x/c:1.0.0'] },
    );
    const ev = evaluate(
      a,
      { 'x/a': ['1.0.0', '2.0.0'], 'x/c': ['1.0.0', '1.0.5', '1.1.0'] },
      { 'x/b': 'registry down' },
    );
    const byAlias = Object.fromEntries(ev.decisions.map((d) => [d.alias, d]));
    expect(byAlias.a).toMatchObject({ outcome: 'error', reason: 'invalid-input' });
    expect(byAlias.a!.message).toContain('allow-tags');
    expect(byAlias.b).toMatchObject({ outcome: 'error', reason: 'registry.unavailable' });
    expect(byAlias.c).toMatchObject({ outcome: 'update', selected: '1.0.5' });
    expect(ev.counters.errors).toBe(2);
  });

  it('counts a running image with an invalid constraint as considered and as an error, as the anchor', () => {
    const a = app(
      { [`${P}image-list`]: 'x=registry.example.com/x/app:stable, y=registry.example.com/x/gone:stable' },
      { live: ['registry.example.com/x/app:1.0'] },
    );
    const ev = evaluate(a, { 'x/app': ['1.0', '2.0'] });
    expect(ev.counters).toEqual({ images_considered: 1, images_skipped: 0, errors: 2 });
    expect(ev.decisions.map((d) => [d.alias, d.image, d.reason])).toEqual([
      ['x', 'registry.example.com/x/app', 'invalid-input'],
      ['y', 'registry.example.com/x/gone', 'invalid-input'],
    ]);
  });

  it('refuses an application whose source type cannot be told', () => {
    const a: Application = {
      metadata: { name: 'd', namespace: 'argocd', annotations: { [`${P}image-list`]: 'nginx' } },
      spec: { source: { repoURL: 'x' } },
      status: { sourceType: 'Directory' },
    };
    const ev = evaluate(a, { nginx: ['1.0'] });
    expect(ev.decisions[0]).toMatchObject({ outcome: 'error', reason: 'unsupported-source' });
    expect(ev.counters.errors).toBe(1);
  });
});
