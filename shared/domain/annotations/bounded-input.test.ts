/**
 * Bad annotation input is bounded: over-long or malformed image-list entries, oversized values and
 * Helm parameter names Helm cannot address are error problems naming the annotation (so the image
 * is not used and the cycle counts an error), and no message echoes more than ~100 characters.
 */
import { describe, expect, it } from 'vitest';
import { evaluateApp } from '../plan/evaluate-app.ts';
import type { Application } from '../model/application.ts';
import { MAX_ANNOTATION_VALUE_BYTES, MAX_PROBLEM_VALUE_CHARS } from '../input-limits.ts';
import { readApplicationImages } from './read-images.ts';
import { readWriteBackConfig } from './write-back.ts';
import type { AnnotationProblem } from './problem.ts';

const P = 'argocd-image-updater.argoproj.io/';
const LIST = `${P}image-list`;
const read = (annotations: Record<string, string>) => readApplicationImages(annotations);
const errors = (problems: AnnotationProblem[]) => problems.filter((p) => p.severity === 'error');

function expectBounded(problems: AnnotationProblem[]): void {
  for (const p of problems) {
    expect(p.message.length, p.message.slice(0, 300)).toBeLessThan(400);
    expect(p.value.length).toBeLessThanOrEqual(MAX_PROBLEM_VALUE_CHARS + 1);
  }
}

describe('image-list entries are bounded by the Docker reference grammar', () => {
  it('a 1 MB image name makes the image-list one error (too large), counted as an error', () => {
    const annotations = { [LIST]: `web=registry.example.com/${'a'.repeat(1024 * 1024)}` };
    const { images, problems } = read(annotations);
    expect(images).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', annotation: LIST })]);
    expectBounded(problems);
    const application: Application = {
      metadata: { name: 'demo', namespace: 'argocd', annotations },
      spec: { source: { repoURL: 'https://git.example/demo.git', path: 'app' } },
      status: { sourceType: 'Helm', summary: { images: [] } },
    };
    const ev = evaluateApp({ application, images: [], problems, snapshots: new Map(), defaultPlatforms: [] });
    expect(ev.counters).toMatchObject({ errors: 1, images_skipped: 0 });
  });

  it('a 60 KB image name is one error, echoed in at most ~100 characters, and counts as an error', () => {
    const huge = 'a'.repeat(60_000);
    const annotations = { [LIST]: `web=registry.example.com/${huge}, api=nginx:1.x` };
    const { images, problems } = read(annotations);
    expect(images.map((i) => i.alias)).toEqual(['api']);
    expect(errors(problems)).toHaveLength(1);
    expect(errors(problems)[0]).toMatchObject({ annotation: LIST, alias: 'web' });
    expect(errors(problems)[0]!.message).toMatch(/characters long; at most 1024 are allowed/);
    expect(errors(problems)[0]!.message).toContain('…');
    expectBounded(problems);

    const application: Application = {
      metadata: { name: 'demo', namespace: 'argocd', annotations },
      spec: { source: { repoURL: 'https://git.example/demo.git', path: 'app' } },
      status: { sourceType: 'Helm', summary: { images: [] } },
    };
    const ev = evaluateApp({ application, images: [], problems, snapshots: new Map(), defaultPlatforms: [] });
    expect(ev.counters).toMatchObject({ errors: 1, images_skipped: 0 });
    expect(JSON.stringify(ev.decisions).length).toBeLessThan(2000);
  });

  it.each<[string, RegExp]>([
    [`registry.example.com/${'a'.repeat(300)}`, /the image name is 321 characters long; at most 255 are allowed/],
    [`nginx:${'1'.repeat(129)}`, /the tag is 129 characters long; at most 128/],
    ['nginx@sha256:zzzz', /"sha256:zzzz" is not a valid digest/],
    [`nginx@sha256:${'a'.repeat(63)}`, /is not a valid digest/],
    ['nginx:1.0\u0000', /contains control characters/],
    ['host:99999/app', /port 99999 of registry "host:99999" is out of range/],
    [`${'x'.repeat(300)}=nginx`, /the alias is 300 characters long; at most 255/],
  ])('refuses %j', (entry, message) => {
    const { images, problems } = read({ [LIST]: entry });
    expect(images).toEqual([]);
    expect(errors(problems)).toHaveLength(1);
    expect(errors(problems)[0]!.annotation).toBe(LIST);
    expect(errors(problems)[0]!.message).toMatch(message);
    expectBounded(problems);
  });

  it('accepts a valid digest and a name of exactly 255 characters', () => {
    const name = `registry.example.com/${'a'.repeat(255 - 'registry.example.com/'.length)}`;
    const { images, problems } = read({ [LIST]: `${name}:1.x, nginx@sha256:${'a'.repeat(64)}` });
    expect(errors(problems)).toEqual([]);
    expect(images).toHaveLength(2);
  });

  it('digest strategy: the tag to follow must be a tag', () => {
    const { images, problems } = read({ [LIST]: 'web=nginx:>=1.0', [`${P}web.update-strategy`]: 'digest' });
    expect(images).toEqual([]);
    expect(errors(problems)[0]!.message).toMatch(/update strategy digest follows a tag: ">=1.0" is not a valid tag/);
  });
});

describe('annotation values are capped at MAX_ANNOTATION_VALUE_BYTES', () => {
  const big = 'v'.repeat(MAX_ANNOTATION_VALUE_BYTES + 1);

  it('an oversized image-list is one error naming it', () => {
    const { images, problems } = read({ [LIST]: `nginx,${big}` });
    expect(images).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'error', annotation: LIST });
    expect(problems[0]!.message).toMatch(/image-list annotation is larger than 64 KiB; it is ignored/);
    expectBounded(problems);
  });

  it('an oversized per-image or app-wide setting makes the image unusable', () => {
    for (const key of [`${P}web.allow-tags`, `${P}ignore-tags`]) {
      const { images, problems } = read({ [LIST]: 'web=nginx', [key]: big });
      expect(images).toEqual([]);
      expect(errors(problems)).toEqual([expect.objectContaining({ annotation: key, alias: 'web', severity: 'error' })]);
      expect(errors(problems)[0]!.message).toMatch(/the value is larger than 64 KiB; it is ignored/);
      expectBounded(problems);
    }
  });

  it('an oversized write-back annotation makes the write-back config invalid', () => {
    const { config, problems } = readWriteBackConfig({ [`${P}write-back-method`]: 'git', [`${P}git-branch`]: big });
    expect(config).toBeNull();
    expect(problems).toEqual([expect.objectContaining({ annotation: `${P}git-branch`, severity: 'error' })]);
    expectBounded(problems);
  });

  it('a value of exactly the limit is read', () => {
    const { problems } = read({ [LIST]: 'web=nginx', [`${P}web.ignore-tags`]: 'x'.repeat(MAX_ANNOTATION_VALUE_BYTES) });
    expect(errors(problems)).toEqual([]);
  });
});

describe('helm parameter names must be addressable by Helm', () => {
  it.each(['helm.image-tag', 'helm.image-name', 'helm.image-spec'])('%s: a..b is an error for that image', (key) => {
    const annotation = `${P}web.${key}`;
    const { images, problems } = read({ [LIST]: 'web=nginx, api=redis', [annotation]: 'a..b' });
    expect(images.map((i) => i.alias)).toEqual(['api']);
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        annotation,
        alias: 'web',
        message: `${annotation}="a..b": "a..b" is not a Helm parameter name Helm can address: it has an empty segment ("..")`,
      }),
    ]);
  });

  it.each(['.image.tag', 'image.tag.', 'image tag', 'image\ttag'])('refuses %j', (name) => {
    const { images, problems } = read({ [LIST]: 'web=nginx', [`${P}web.helm.image-tag`]: name });
    expect(images).toEqual([]);
    expect(errors(problems)).toHaveLength(1);
  });

  it('accepts dotted, indexed and escaped names', () => {
    const { images, problems } = read({
      [LIST]: 'web=nginx',
      [`${P}web.helm.image-name`]: 'images[0].repository',
      [`${P}web.helm.image-tag`]: 'labels.app\\.kubernetes\\.io/version',
    });
    expect(errors(problems)).toEqual([]);
    expect(images[0]!.settings.helm).toEqual({
      imageName: 'images[0].repository',
      imageTag: 'labels.app\\.kubernetes\\.io/version',
    });
  });
});
