import { readFileSync } from 'node:fs';

interface VectorFile {
  vectors: { id: string; category: string; [k: string]: unknown }[];
}

let cache: VectorFile | undefined;

/** The compatibility vectors of one category (transcribed from argocd-image-updater's own tests). */
export function vectors<T = any>(category: string): (T & { id: string })[] {
  cache ??= JSON.parse(readFileSync(new URL('../fixtures/compat/vectors.json', import.meta.url), 'utf8')) as VectorFile;
  const rows = cache.vectors.filter((v) => v.category === category);
  if (rows.length === 0) throw new Error(`no compatibility vectors in category ${category}`);
  return rows as unknown as (T & { id: string })[];
}
