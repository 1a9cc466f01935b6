/**
 * Argo CD Kustomize image strings (`spec.source.kustomize.images`): Argo CD's own matching
 * (`MergeImage`: same text up to the first `=`/`:`/`@`), the anchor's merge of override files
 * (§5.4) and the translation to a kustomization `images:` entry (§5.5).
 */
import { isSameImage, parseImageRef, type ImageRef } from '../image/image-ref.ts';

function delim(entry: string): string {
  for (const d of ['=', ':', '@']) if (entry.includes(d)) return d;
  return ':';
}

/** Argo CD's KustomizeImage.Match: same delimiter and same text before it. */
export function kustomizeImagesMatch(a: string, b: string): boolean {
  const da = delim(a);
  if (da !== delim(b)) return false;
  return a.split(da)[0] === b.split(da)[0];
}

/** Argo CD's MergeImage: replace the first matching entry, else append. Returns a new array. */
export function mergeKustomizeImage(images: readonly string[], entry: string): string[] {
  const out = [...images];
  const i = out.findIndex((e) => kustomizeImagesMatch(e, entry));
  if (i >= 0) out[i] = entry;
  else out.push(entry);
  return out;
}

function tagEquals(a: ImageRef, b: ImageRef): boolean {
  if (a.digest || b.digest) return a.digest === b.digest;
  return (a.tag ?? '') === (b.tag ?? '');
}

/**
 * Merge the app's images into those of an existing override file: an entry for the same image
 * (Docker Hub spellings normalised) is replaced when the existing one has no tag or a different one
 * (a new entry without tag never replaces a tagged one); unknown images are appended.
 */
export function mergeKustomizeOverrideImages(existing: readonly string[], incoming: readonly string[]): string[] {
  const out = [...existing];
  for (const entry of incoming) {
    const next = parseImageRef(entry);
    const i = out.findIndex((e) => isSameImage(parseImageRef(e), next));
    if (i < 0) {
      out.push(entry);
      continue;
    }
    const cur = parseImageRef(out[i]!);
    if (cur.tag === null || (next.tag !== null && !tagEquals(cur, next))) out[i] = entry;
  }
  return out;
}

/** A kustomization `images:` entry; absent fields are ''. */
export interface KustomizeImageOverride {
  name: string;
  newName: string;
  newTag: string;
  digest: string;
}

/**
 * `<ref>` → {name: registry/repo, newTag, digest}; `<orig>=<ref>` → {name: orig, newName: registry/repo,
 * newTag, digest} — parsed with the anchor's image parser, as the anchor does.
 */
export function parseKustomizeImageOverride(entry: string): KustomizeImageOverride {
  const ref = parseImageRef(entry);
  const fullName = ref.registry ? `${ref.registry}/${ref.name}` : ref.name;
  const base = { newTag: ref.tag ?? '', digest: ref.digest };
  return ref.alias ? { name: ref.alias, newName: fullName, ...base } : { name: fullName, newName: '', ...base };
}
