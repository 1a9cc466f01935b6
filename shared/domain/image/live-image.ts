/**
 * Which running image a configured image corresponds to (Argo CD's `status.summary.images`), and
 * whether the selected tag differs from it. Unlike the anchor, Docker Hub spellings are treated as one
 * image (`nginx` ≡ `docker.io/library/nginx`), so such images are no longer reported "not live".
 */
import type { StrategyName } from '../model/strategy-name.ts';
import { isSameImage, parseImageRef, type ImageRef } from './image-ref.ts';

/** Tag identity as the anchor compares it: by digest when either side has one, else by name. */
export function tagsEqual(
  a: { tag: string | null; digest?: string },
  b: { tag: string | null; digest?: string },
): boolean {
  if (a.digest || b.digest) return (a.digest ?? '') === (b.digest ?? '');
  return (a.tag ?? '') === (b.tag ?? '');
}

function firstMatch(wanted: ImageRef, live: readonly ImageRef[]): ImageRef | null {
  return live.find((l) => isSameImage(wanted, l)) ?? null;
}

/**
 * The first live image with the configured image's repository, trying the kustomize.image-name
 * override first. null = the image is not live in the application.
 */
export function findLiveImage(
  configured: ImageRef,
  liveImages: readonly string[],
  kustomizeImageName?: string,
): ImageRef | null {
  const live = liveImages.map((s) => parseImageRef(s.trim()));
  if (kustomizeImageName) {
    const viaKustomize = firstMatch(parseImageRef(kustomizeImageName.trim()), live);
    if (viaKustomize) return viaKustomize;
  }
  return firstMatch(configured, live);
}

/**
 * Digest strategy, after the new digest is known: when several live entries share the repository,
 * prefer the one running the followed tag with a stale digest, else the one running the followed tag,
 * else any entry with a stale digest. null when none qualifies (keep the first match).
 */
export function reselectLiveForDigest(
  configured: ImageRef,
  liveImages: readonly string[],
  latestDigest: string,
  kustomizeImageName?: string,
): ImageRef | null {
  const wanted = [kustomizeImageName ? parseImageRef(kustomizeImageName.trim()) : null, configured].filter(
    (x) => x !== null,
  );
  const live = liveImages.map((s) => parseImageRef(s.trim()));
  const same = live.filter((l) => wanted.some((w) => isSameImage(w, l)));
  const followed = configured.tag ?? '';
  const sameTag = same.filter((l) => (l.tag ?? '') === followed);
  return (
    sameTag.find((l) => l.digest !== latestDigest) ??
    sameTag[0] ??
    same.find((l) => l.digest !== '' && l.digest !== latestDigest) ??
    null
  );
}

export interface NeedsUpdateOptions {
  /** The configured image (image-list); with a kustomize.image-name override, a different repository also means an update. */
  configured?: ImageRef;
  kustomizeImageName?: string;
}

/**
 * The anchor's needsUpdate (§4.6). digest: update unless the live image runs exactly the selected digest.
 * Other strategies carry no digest: the live tag (or its digest, when it runs one) must equal the selected
 * tag name; with a kustomize.image-name override, switching repositories is also an update.
 */
export function needsUpdate(
  live: ImageRef,
  selected: { tag: string; digest?: string },
  strategy: StrategyName,
  options: NeedsUpdateOptions = {},
): boolean {
  if (strategy === 'digest') return live.tag === null || live.digest === '' || live.digest !== (selected.digest ?? '');
  if (!tagsEqual(live, { tag: selected.tag, digest: '' })) return true;
  return !!options.kustomizeImageName && !!options.configured && !isSameImage(options.configured, live);
}
