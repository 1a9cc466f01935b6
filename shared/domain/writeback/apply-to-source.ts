/**
 * Apply chosen images to an Argo CD Application source in memory, as the anchor's `argocd`
 * write-back does (reference §5.2). Returns a new source; the input is never mutated.
 */
import type { ApplicationSource, HelmParameter } from '../model/application.ts';
import { parseImageRef, formatImageRef } from '../image/image-ref.ts';
import { hasPluginTarget, helmTargets, imageValues, kustomizeImageEntry, type ImageWrite } from './image-write.ts';
import { mergeKustomizeImage } from './kustomize-images.ts';

export type SourceType = 'Helm' | 'Kustomize' | 'Plugin';

/** Replace the first entry with the same name in place, else append (Argo CD AddParameter/AddEnvEntry). */
function upsertByName<T extends { name: string }>(list: T[], item: T): void {
  const i = list.findIndex((e) => e.name === item.name);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

/** The Helm parameters one image sets: spec wins over name/tag; an empty tag is not written. */
export function helmParametersFor(write: ImageWrite): HelmParameter[] {
  const targets = helmTargets(write);
  const values = imageValues(write.image);
  if ('spec' in targets) return [{ name: targets.spec, value: values.spec, forceString: true }];
  const params: HelmParameter[] = [{ name: targets.name, value: values.name, forceString: true }];
  if (values.tag !== '') params.push({ name: targets.tag, value: values.tag, forceString: true });
  return params;
}

/** The plugin env entries one image sets (only when it has plugin targets). */
export function pluginEnvFor(write: ImageWrite): { name: string; value: string }[] {
  const p = write.plugin ?? {};
  const values = imageValues(write.image);
  if (p.imageSpec) return [{ name: p.imageSpec, value: values.spec }];
  const env: { name: string; value: string }[] = [];
  if (p.imageName) env.push({ name: p.imageName, value: values.name });
  if (p.imageTag && values.tag !== '') env.push({ name: p.imageTag, value: values.tag });
  return env;
}

function applyHelm(source: ApplicationSource, write: ImageWrite): void {
  const params = [...(source.helm?.parameters ?? [])];
  for (const p of helmParametersFor(write)) upsertByName(params, p);
  source.helm = { ...source.helm, parameters: params };
}

function applyKustomize(source: ApplicationSource, write: ImageWrite): void {
  const entry = kustomizeImageEntry(write);
  const wanted = parseImageRef(entry);
  // entries for the same image (and the same kustomize override) are rewritten first …
  const rewritten = (source.kustomize?.images ?? []).map((existing) => {
    const cur = parseImageRef(existing);
    return cur.name === wanted.name && cur.alias === wanted.alias ? formatImageRef(wanted) : existing;
  });
  // … then Argo CD's MergeImage replaces the entry with the same name, or appends
  source.kustomize = { ...source.kustomize, images: mergeKustomizeImage(rewritten, entry) };
}

function applyPlugin(source: ApplicationSource, write: ImageWrite): void {
  const env = [...(source.plugin?.env ?? [])];
  for (const e of pluginEnvFor(write)) upsertByName(env, e);
  source.plugin = { ...source.plugin, env };
}

/**
 * Helm → `helm.parameters` ({name, value, forceString: true}, merged by name); Kustomize →
 * `kustomize.images` (`<orig>=<ref>` with a kustomize.image-name); Plugin → `plugin.env` for images
 * with plugin targets, Helm parameters for the others (as the anchor).
 */
export function applyImageWrites(
  source: ApplicationSource,
  type: SourceType,
  writes: readonly ImageWrite[],
): ApplicationSource {
  const out: ApplicationSource = structuredClone(source);
  for (const write of writes) {
    if (type === 'Kustomize') applyKustomize(out, write);
    else if (type === 'Plugin' && hasPluginTarget(write)) applyPlugin(out, write);
    else applyHelm(out, write);
  }
  return out;
}
