import { describe, expect, it } from 'vitest';
import { helmParameterNameProblem } from './helm-parameter-name.ts';

describe('helmParameterNameProblem', () => {
  it.each([
    'image',
    'image.tag',
    'global.image.repository',
    'images[0].tag',
    'a[0][1].b',
    'annotations.app\\.kubernetes\\.io/version',
    'my-chart.image_tag',
    'dots\\.only',
  ])('accepts %s', (name) => {
    expect(helmParameterNameProblem(name)).toBeNull();
  });

  it.each<[string, RegExp]>([
    ['a..b', /"a\.\.b" is not a Helm parameter name Helm can address: it has an empty segment/],
    ['.a', /starts with "\."/],
    ['a.', /ends with "\." or "\\"/],
    ['a\\', /ends with/],
    ['', /it is empty/],
    ['image tag', /whitespace or control characters/],
    ['image\u0001.tag', /whitespace or control characters/],
    ['image\n', /whitespace or control characters/],
    ['a=b', /"=" and "," separate --set assignments/],
    ['a,b', /"=" and "," separate --set assignments/],
    ['a[x].b', /segments are separated by single dots/],
    ['a[0', /segments are separated by single dots/],
    ['[0]', /segments are separated by single dots/],
  ])('refuses %j', (name, message) => {
    expect(helmParameterNameProblem(name)).toMatch(message);
  });

  it('echoes at most ~100 characters of a long bad name', () => {
    const problem = helmParameterNameProblem(`${'a'.repeat(10_000)}..b`)!;
    expect(problem).toContain('…');
    expect(problem.length).toBeLessThan(250);
  });
});
