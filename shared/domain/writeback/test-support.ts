/**
 * Helpers shared by the write-back unit tests (not used by production code): building ImageWrites
 * from vector image ids and comparing outputs with a vector's `compare` mode.
 */
import { parse } from 'yaml';
import { parseImageRef } from '../image/image-ref.ts';
import type { ImageWrite } from './image-write.ts';

export interface VectorImage {
  id: string;
  helmName?: string;
  helmTag?: string;
  helmSpec?: string;
  pluginName?: string;
  pluginTag?: string;
  pluginSpec?: string;
  kustomizeName?: string;
}

/** An ImageWrite from a vector image (`[alias=]ref` plus target names). */
export function writeFromVector(img: VectorImage | string): ImageWrite {
  const v = typeof img === 'string' ? { id: img } : img;
  const ref = parseImageRef(v.id);
  const write: ImageWrite = { alias: ref.alias, image: ref };
  if (v.helmName || v.helmTag || v.helmSpec)
    write.helm = { imageName: v.helmName, imageTag: v.helmTag, imageSpec: v.helmSpec };
  if (v.pluginName || v.pluginTag || v.pluginSpec)
    write.plugin = { imageName: v.pluginName, imageTag: v.pluginTag, imageSpec: v.pluginSpec };
  if (v.kustomizeName) write.kustomize = { imageName: v.kustomizeName };
  return write;
}

/** Normalise `actual` and `expected` for a vector's compare mode ('exact' when absent); assert with toEqual. */
export function comparable(
  actual: string,
  expected: string,
  compare: string | undefined,
): { actual: unknown; expected: unknown } {
  const mode = (compare ?? 'exact').split(' ')[0];
  if (mode === 'trimmed') return { actual: actual.trim(), expected: expected.trim() };
  if (mode === 'yamlEq') return { actual: parse(actual), expected: parse(expected) };
  return { actual, expected };
}
