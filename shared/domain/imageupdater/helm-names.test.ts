import { describe, expect, it } from 'vitest';
import { app, oneRef, select } from './test-fixtures.ts';

const L = 'ImageUpdater argocd/u';

describe('ImageUpdater manifestTargets.helm names are checked as for annotations', () => {
  it.each(['name', 'tag', 'spec'])('helm.%s "a..b" is an error at the CR field; the image is not used', (field) => {
    const u = oneRef({
      namePattern: 'web',
      images: [
        { alias: 'img', imageName: 'nginx', manifestTargets: { helm: { [field]: 'a..b' } } },
        { alias: 'ok', imageName: 'redis', manifestTargets: { helm: { [field]: 'image.tag' } } },
      ],
    });
    const s = select([u], app('web'))!;
    expect(s.images.map((i) => i.alias)).toEqual(['ok']);
    const locator = `${L} spec.applicationRefs[0].images[0].manifestTargets.helm.${field}`;
    expect(s.problems.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({
        annotation: locator,
        alias: 'img',
        message: `${locator}="a..b": "a..b" is not a Helm parameter name Helm can address: it has an empty segment ("..")`,
      }),
    ]);
  });
});
