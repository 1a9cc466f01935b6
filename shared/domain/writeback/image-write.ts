/**
 * One tracked image to write back: the reference to write (new tag/digest, or the current one when
 * unchanged) plus the manifest targets its annotations name (reference §1.2, §5.2).
 */
import { fullNameWithoutTag, fullNameWithTag, tagWithDigest, type ImageRef } from '../image/image-ref.ts';

export interface ImageWrite {
  /** '' when the image-list entry had no alias. */
  alias: string;
  /** The image to write: registry/name + new tag/digest (or current ones when unchanged). */
  image: ImageRef;
  /** Helm parameter names from the annotations (defaults image.name / image.tag). */
  helm?: { imageName?: string; imageTag?: string; imageSpec?: string };
  /** Original image name in the kustomization to override (`<orig>=<new>`). */
  kustomize?: { imageName?: string };
  /** Config-management-plugin env variable names [v1.3+]; no defaults: absent = no plugin target. */
  plugin?: { imageName?: string; imageTag?: string; imageSpec?: string };
}

export const DEFAULT_HELM_IMAGE_NAME = 'image.name';
export const DEFAULT_HELM_IMAGE_TAG = 'image.tag';

/** The Helm parameters an image manages: its spec parameter, or its name and tag parameters. */
export type HelmTargets = { spec: string } | { name: string; tag: string };

export function helmTargets(write: ImageWrite): HelmTargets {
  const h = write.helm ?? {};
  if (h.imageSpec) return { spec: h.imageSpec };
  return { name: h.imageName || DEFAULT_HELM_IMAGE_NAME, tag: h.imageTag || DEFAULT_HELM_IMAGE_TAG };
}

/** Parameter names managed by the given images (used to keep only updater-owned overrides). */
export function managedHelmParameterNames(writes: readonly ImageWrite[]): Set<string> {
  const names = new Set<string>();
  for (const w of writes) {
    const t = helmTargets(w);
    if ('spec' in t) names.add(t.spec);
    else names.add(t.name).add(t.tag);
  }
  return names;
}

export function hasPluginTarget(write: ImageWrite): boolean {
  const p = write.plugin;
  return !!(p && (p.imageName || p.imageTag || p.imageSpec));
}

/** Env names managed by the given images' plugin targets. */
export function managedPluginEnvNames(writes: readonly ImageWrite[]): Set<string> {
  const names = new Set<string>();
  for (const w of writes) {
    if (!hasPluginTarget(w)) continue;
    const p = w.plugin!;
    if (p.imageSpec) names.add(p.imageSpec);
    else {
      if (p.imageName) names.add(p.imageName);
      if (p.imageTag) names.add(p.imageTag);
    }
  }
  return names;
}

/** The values the anchor writes: full reference, name without tag, tag with digest. */
export function imageValues(image: ImageRef): { spec: string; name: string; tag: string } {
  return { spec: fullNameWithTag(image), name: fullNameWithoutTag(image), tag: tagWithDigest(image) };
}

/** The Kustomize images entry: `<orig>=<newref>` with a kustomize.image-name override, else `<newref>`. */
export function kustomizeImageEntry(write: ImageWrite): string {
  const ref = fullNameWithTag(write.image);
  const orig = write.kustomize?.imageName?.trim();
  return orig ? `${orig}=${ref}` : ref;
}
