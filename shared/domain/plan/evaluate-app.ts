import type { Application } from '../model/application.ts';
import type { TagSnapshot } from '../model/tags.ts';
import { IMAGE_LIST_ANNOTATION, parseImageList, type AnnotationProblem } from '../annotations/index.ts';
import { fullNameWithoutTag, tagWithDigest, type ImageRef } from '../image/image-ref.ts';
import { findLiveImage } from '../image/live-image.ts';
import { decideUpdate, resolveLive, type SelectionResult } from '../policy/index.ts';
import { applyImageWrites } from '../writeback/apply-to-source.ts';
import type { ImageWrite } from '../writeback/image-write.ts';
import type { ImageChange } from './write-back-plan.ts';
import { resolveSource, type SupportedSourceType } from './source-type.ts';
import type { IndexedImage as TrackedImage } from '../fleet/index-entry.ts';

export type DecisionOutcome = 'update' | 'current' | 'already-set' | 'skipped' | 'error';

/** Why one image of one app is (not) moving, with the selection's own explanation. */
export interface ImageDecision {
  alias: string;
  image: string;
  repoKey?: string;
  current: string | null;
  selected: string | null;
  outcome: DecisionOutcome;
  reason: string;
  message: string;
  selection?: SelectionResult;
}

export interface AppEvaluation {
  decisions: ImageDecision[];
  counters: { images_considered: number; images_skipped: number; errors: number };
  sourceType?: SupportedSourceType;
  writes: ImageWrite[];
  changes: ImageChange[];
}

export interface EvaluateInput {
  application: Application;
  images: readonly TrackedImage[];
  problems: readonly AnnotationProblem[];
  snapshots: ReadonlyMap<string, TagSnapshot>;
  defaultPlatforms: readonly string[];
}

/**
 * The select step for one app, pure: for every tracked image find what runs, pick the best
 * allowed tag, and decide whether it changes, recording why in every case.
 */
export function evaluateApp(input: EvaluateInput): AppEvaluation {
  const ev: AppEvaluation = {
    decisions: [],
    counters: { images_considered: 0, images_skipped: 0, errors: 0 },
    writes: [],
    changes: [],
  };
  const liveImages = input.application.status?.summary?.images ?? [];
  const errors = input.problems.filter((p) => p.severity === 'error');
  const entries =
    errors.length > 0 ? parseImageList(input.application.metadata.annotations?.[IMAGE_LIST_ANNOTATION]).entries : [];
  for (const p of errors) {
    // As the anchor counts a bad constraint: an error, and a considered image when it runs.
    const entry = entries.find((e) => (p.alias !== undefined && e.alias === p.alias) || e.original === p.value);
    if (entry && findLiveImage(entry.ref, liveImages)) ev.counters.images_considered++;
    ev.counters.errors++;
    const image = entry ? fullNameWithoutTag({ ...entry.ref, tag: null, digest: '' }) : p.value;
    ev.decisions.push({
      alias: p.alias ?? '',
      image,
      current: null,
      selected: null,
      outcome: 'error',
      reason: 'invalid-input',
      message: p.message,
    });
  }
  const hint = {
    helm: input.images.some((i) => Object.values(i.spec.settings.helm).some(Boolean)),
    kustomize: input.images.some((i) => Boolean(i.spec.settings.kustomize.imageName)),
  };
  const resolved = resolveSource(input.application, hint);
  if ('error' in resolved) {
    ev.counters.errors++;
    ev.decisions.push({
      alias: '',
      image: '',
      current: null,
      selected: null,
      outcome: 'error',
      reason: 'unsupported-source',
      message: resolved.error,
    });
    return ev;
  }
  ev.sourceType = resolved.type;
  for (const img of input.images) {
    const d = decide(img, liveImages, input.snapshots.get(img.repoKey), input.defaultPlatforms);
    ev.decisions.push(d.decision);
    if (d.decision.outcome === 'skipped') ev.counters.images_skipped++;
    if (d.decision.outcome === 'error') ev.counters.errors++;
    if (d.considered) ev.counters.images_considered++;
    if (!d.write) continue;
    const write: ImageWrite = {
      alias: img.spec.alias,
      image: d.write,
      helm: img.spec.settings.helm,
      kustomize: img.spec.settings.kustomize,
    };
    ev.writes.push(write);
    if (d.decision.outcome !== 'update') continue;
    if (sameSource(applyImageWrites(resolved.source, resolved.type, [write]), resolved.source)) {
      Object.assign(d.decision, {
        outcome: 'already-set',
        reason: 'already-set',
        message: `New image ${d.decision.image}:${d.decision.selected} already set in spec`,
      });
      continue;
    }
    ev.changes.push({
      alias: img.spec.alias,
      image: img.spec.ref.name,
      fullName: d.decision.image,
      oldTag: d.decision.current ?? '',
      newTag: d.decision.selected ?? '',
    });
  }
  return ev;
}

function decide(
  img: TrackedImage,
  liveImages: readonly string[],
  snap: TagSnapshot | undefined,
  defaultPlatforms: readonly string[],
) {
  const { spec } = img;
  const image = fullNameWithoutTag({ ...spec.ref, tag: null, digest: '' });
  const base = { alias: spec.alias, image, repoKey: img.repoKey, selected: null };
  const forced = {
    configured: spec.ref,
    liveImages,
    kustomizeImageName: spec.settings.kustomize.imageName,
    forceUpdate: spec.settings.forceUpdate,
  };
  const running = resolveLive(forced);
  if (!running) {
    return {
      considered: false,
      decision: {
        ...base,
        current: null,
        outcome: 'skipped' as const,
        reason: 'not-live',
        message: `Image '${image}' seems not to be live in this application, skipping`,
      },
    };
  }
  const current = running.tag === null && !running.digest ? null : tagWithDigest(running);
  if (!snap || (snap.error && snap.tags.length === 0)) {
    const message = snap?.error
      ? `registry error for ${image}: ${snap.error.message}`
      : `no tag snapshot for ${image} yet`;
    return {
      considered: true,
      decision: {
        ...base,
        current,
        outcome: 'error' as const,
        reason: snap?.error?.code ?? 'snapshot-missing',
        message,
      },
    };
  }
  const d = decideUpdate({
    ...forced,
    strategy: spec.settings.strategy,
    allowTags: spec.settings.allowTags,
    ignoreTags: spec.settings.ignoreTags,
    platforms: spec.settings.platforms,
    defaultPlatforms,
    tags: snap.tags,
  });
  const live = d.live ?? running;
  const decision = {
    ...base,
    current: live.tag === null && !live.digest ? null : tagWithDigest(live),
    reason: d.reason,
    message: d.message,
    selection: d.selection ?? undefined,
  };
  const keep = currentWrite(spec.ref, live);
  if (d.reason === 'updated' && d.target) {
    return {
      considered: true,
      write: { ...d.target, alias: '' },
      decision: { ...decision, selected: tagWithDigest(d.target), outcome: 'update' as const },
    };
  }
  const selected = d.target ? tagWithDigest(d.target) : null;
  const outcome =
    d.reason === 'already-newest'
      ? ('current' as const)
      : d.reason === 'invalid-input'
        ? ('error' as const)
        : ('skipped' as const);
  return { considered: true, write: keep, decision: { ...decision, selected, outcome } };
}

/** The value written for an image that does not change: what runs now, under the configured name. */
function currentWrite(configured: ImageRef, live: ImageRef): ImageRef | undefined {
  if (live.tag === null && !live.digest) return undefined;
  return { ...configured, alias: '', tag: live.tag, digest: live.digest };
}

function sameSource(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
