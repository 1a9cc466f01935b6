import { describe, expect, it } from 'vitest';
import { compileLabelSelector } from './label-selector.ts';
import type { LabelSelector } from './schema.ts';

const labels = { env: 'prod', tier: 'frontend', 'app.kubernetes.io/part-of': 'shop' };

describe('compileLabelSelector: matching', () => {
  it.each<[string, LabelSelector | undefined, Record<string, string> | undefined, boolean]>([
    ['nil matches everything', undefined, labels, true],
    ['nil matches an unlabelled app', undefined, undefined, true],
    ['{} matches everything', {}, undefined, true],
    ['matchLabels hit', { matchLabels: { env: 'prod' } }, labels, true],
    ['matchLabels miss', { matchLabels: { env: 'dev' } }, labels, false],
    ['matchLabels all required', { matchLabels: { env: 'prod', tier: 'backend' } }, labels, false],
    ['matchLabels on an unlabelled app', { matchLabels: { env: 'prod' } }, undefined, false],
    ['prefixed key', { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } }, labels, true],
    ['In hit', { matchExpressions: [{ key: 'env', operator: 'In', values: ['staging', 'prod'] }] }, labels, true],
    ['In miss', { matchExpressions: [{ key: 'env', operator: 'In', values: ['staging'] }] }, labels, false],
    ['In on a missing key', { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] }, labels, false],
    ['NotIn hit', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, labels, true],
    ['NotIn miss', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels, false],
    [
      'NotIn on a missing key matches',
      { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] },
      labels,
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels, true],
    ['Exists miss', { matchExpressions: [{ key: 'region', operator: 'Exists' }] }, labels, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }, labels, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist', values: [] }] }, labels, false],
    [
      'labels AND expressions',
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
      labels,
      false,
    ],
    ['empty label value', { matchLabels: { flag: '' } }, { flag: '' }, true],
  ])('%s', (_name, selector, appLabels, expected) => {
    const s = compileLabelSelector(selector);
    expect(s.error).toBeUndefined();
    expect(s.matches(appLabels)).toBe(expected);
  });
});

describe('compileLabelSelector: an invalid selector matches nothing', () => {
  it.each<[string, LabelSelector, string]>([
    [
      'unknown operator',
      { matchExpressions: [{ key: 'env', operator: 'in', values: ['prod'] }] },
      'matchExpressions[0].operator',
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'env', operator: 'In', values: [] }] },
      'matchExpressions[0].values',
    ],
    ['NotIn without values', { matchExpressions: [{ key: 'env', operator: 'NotIn' }] }, 'matchExpressions[0].values'],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['prod'] }] },
      'matchExpressions[0].values',
    ],
    [
      'invalid value',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'a b'] }] },
      'matchExpressions[0].values[1]',
    ],
    ['invalid key', { matchExpressions: [{ key: '-env', operator: 'Exists' }] }, 'matchExpressions[0].key'],
    ['invalid prefix', { matchLabels: { 'Example.com/env': 'prod' } }, 'matchLabels.Example.com/env'],
    ['value too long', { matchLabels: { env: 'x'.repeat(64) } }, 'matchLabels.env'],
    ['empty key', { matchLabels: { '': 'x' } }, 'matchLabels.'],
  ])('%s', (_name, selector, path) => {
    const s = compileLabelSelector(selector);
    expect(s.error?.path).toBe(path);
    expect(s.matches(labels)).toBe(false);
    expect(s.matches({ env: 'prod', 'a b': 'x' })).toBe(false);
  });
});
