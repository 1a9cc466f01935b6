import { selectTag } from '../shared/domain/policy/index.ts';

export interface SelectionRow {
  case: string;
  tags: number;
  ms: number;
  ratioToSimple: number;
  selected: string | null;
}

/**
 * Selection cost over many tags, for hostile allow-tags patterns (catastrophic backtracking on a
 * backtracking engine) against a simple pattern in the same run.
 */
export function benchSelection(count = 10_000): SelectionRow[] {
  const tags = Array.from({ length: count }, (_, i) => ({
    name: i % 2 ? `${'a'.repeat(60)}!${i}` : `v${Math.floor(i / 100)}.${i % 100}.0`,
  }));
  const cases: [string, string][] = [
    ['simple: regexp:^v[1-9].*', 'regexp:^v[1-9].*'],
    ['hostile: regexp:^(a+)+$', 'regexp:^(a+)+$'],
    ['hostile: regexp:(a|aa)*b', 'regexp:(a|aa)*b'],
    ['hostile: regexp:^(a|a?)+$', 'regexp:^(a|a?)+$'],
  ];
  const run = (allowTags: string) => {
    const start = performance.now();
    let selected: string | null = null;
    for (let i = 0; i < 5; i++)
      selected =
        selectTag({ tags, strategy: 'semver', constraint: '', allowTags, ignoreTags: [], platforms: [] }).selected
          ?.name ?? null;
    return { ms: (performance.now() - start) / 5, selected };
  };
  run(cases[0]![1]);
  const simple = run(cases[0]![1]).ms;
  return cases.map(([name, pattern]) => {
    const r = run(pattern);
    return {
      case: name,
      tags: count,
      ms: +r.ms.toFixed(1),
      ratioToSimple: +(r.ms / simple).toFixed(2),
      selected: r.selected,
    };
  });
}
