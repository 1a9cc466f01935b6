import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import type { LabelSelector } from './schema.ts';
import { rankBySpecificity, specificity } from './specificity.ts';

interface SpecificityVector {
  namePattern: string;
  labelSelectors: LabelSelector | null;
  expectedScore: number;
}

describe('specificity (compat vectors app-specificity)', () => {
  it.each(vectors<SpecificityVector>('app-specificity'))('$id: $namePattern $labelSelectors → $expectedScore', (v) => {
    expect(specificity({ namePattern: v.namePattern, labelSelectors: v.labelSelectors ?? undefined })).toBe(
      v.expectedScore,
    );
  });
});

describe('specificity (more rows)', () => {
  it.each<[string, LabelSelector | undefined, number]>([
    ['*', undefined, 0],
    ['web-?', undefined, 4],
    ['[a-z]*', undefined, 0],
    ['a[bc]d[ef]', undefined, 2],
    [
      'web',
      {
        matchExpressions: [
          { key: 'a', operator: 'Exists' },
          { key: 'b', operator: 'DoesNotExist' },
        ],
      },
      1_010_203,
    ],
    ['*', {}, 10_000],
    ['dépôt', undefined, 1_000_007], // bytes, as Go's len
  ])('%s %j → %d', (namePattern, labelSelectors, score) => {
    expect(specificity({ namePattern, labelSelectors })).toBe(score);
  });
});

describe('rankBySpecificity', () => {
  it('orders most specific first and keeps CR order for ties', () => {
    const refs = [
      { namePattern: '*' },
      { namePattern: 'app-*' },
      { namePattern: 'b-*' }, // 2, ties with nothing
      { namePattern: 'app-one' },
      { namePattern: 'pp-*' }, // 3, ties with…
      { namePattern: 'ab-*' }, // 3
      { namePattern: 'app-*x', labelSelectors: { matchLabels: { env: 'prod' } } },
    ];
    expect(rankBySpecificity(refs).map((r) => [r.ref.namePattern, r.index])).toEqual([
      ['app-one', 3],
      ['app-*x', 6],
      ['app-*', 1],
      ['pp-*', 4],
      ['ab-*', 5],
      ['b-*', 2],
      ['*', 0],
    ]);
  });
});
