/**
 * The effective configuration of one Application under the ImageUpdaters of its namespace, in the
 * annotation model's types, so the engine treats it exactly like an annotated app. Candidates are
 * tried in selection order; one whose configuration cannot be used (useAnnotations: an error in the
 * annotations left no image; on either path: an invalid write-back config) is reported as warnings and
 * the next, less specific candidate is tried (reference §2.6). When none can be used, the most
 * specific one is returned with no images, so its problems are reported and nothing is processed.
 */
import { annotationProblem, type AnnotationProblem } from '../annotations/problem.ts';
import type { ImageSpec } from '../annotations/read-images.ts';
import { imageFromCr } from './cr-image.ts';
import { configFromAnnotations } from './from-annotations.ts';
import type { ImageVerification } from './image-checks.ts';
import { mergeUpdateSettings, mergeVerification, mergeWriteBack } from './merge.ts';
import { asWarning, fieldLocator, type UpdaterName } from './problem.ts';
import type { Candidate, CompiledSelection, SelectableApp } from './select.ts';
import { writeBackFromCr, type WriteBackResult } from './write-back.ts';

export interface AppSelection {
  updater: UpdaterName;
  /** The applicationRef in use: its position in spec.applicationRefs and its pattern. */
  ref: { index: number; namePattern: string };
  useAnnotations: boolean;
  images: ImageSpec[];
  problems: AnnotationProblem[];
  writeBack: WriteBackResult;
  /** Effective imagesVerification by image alias ('' = un-aliased); absent = not verified. Carried only. */
  imagesVerification: Record<string, ImageVerification>;
}

function nameOf(c: Candidate): UpdaterName {
  return { namespace: c.updater.metadata.namespace, name: c.updater.metadata.name };
}

/** A candidate's configuration and why it cannot be used (null = usable). */
interface Attempt {
  selection: AppSelection;
  failure: string | null;
}

function fromCr(c: Candidate, app: SelectableApp): Attempt {
  const updater = nameOf(c);
  const spec = c.updater.spec;
  const at = `spec.applicationRefs[${c.index}]`;
  const images: ImageSpec[] = [];
  const problems: AnnotationProblem[] = [];
  const imagesVerification: Record<string, ImageVerification> = {};
  (c.ref.images ?? []).forEach((image, j) => {
    const path = `${at}.images[${j}]`;
    const settings = mergeUpdateSettings([
      { path: 'spec.commonUpdateSettings', block: spec.commonUpdateSettings },
      { path: `${at}.commonUpdateSettings`, block: c.ref.commonUpdateSettings },
      { path: `${path}.commonUpdateSettings`, block: image.commonUpdateSettings },
    ]);
    const verification = mergeVerification([
      { path: 'spec.imagesVerification', block: spec.imagesVerification },
      { path: `${at}.imagesVerification`, block: c.ref.imagesVerification },
      { path: `${path}.imagesVerification`, block: image.imagesVerification },
    ]);
    const r = imageFromCr({ updater, namespace: app.namespace, image, path, settings, verification });
    problems.push(...r.problems);
    if (!r.spec) return;
    images.push(r.spec);
    if (r.verification) imagesVerification[image.alias] = r.verification;
  });
  const writeBack = writeBackFromCr(
    updater,
    mergeWriteBack(
      { path: 'spec.writeBackConfig', block: spec.writeBackConfig },
      { path: `${at}.writeBackConfig`, block: c.ref.writeBackConfig },
    ),
  );
  const selection: AppSelection = {
    updater,
    ref: { index: c.index, namePattern: c.ref.namePattern },
    useAnnotations: false,
    images,
    problems,
    writeBack,
    imagesVerification,
  };
  return { selection, failure: writeBack.config === null ? 'its write-back configuration is invalid' : null };
}

function fromAnnotations(c: Candidate, app: SelectableApp): Attempt {
  const updater = nameOf(c);
  const at = `spec.applicationRefs[${c.index}]`;
  const verification = mergeVerification([
    { path: 'spec.imagesVerification', block: c.updater.spec.imagesVerification },
    { path: `${at}.imagesVerification`, block: c.ref.imagesVerification },
  ]);
  const { parseFailed, ...r } = configFromAnnotations(updater, app, verification);
  const selection: AppSelection = {
    updater,
    ref: { index: c.index, namePattern: c.ref.namePattern },
    useAnnotations: true,
    ...r,
  };
  const failure = parseFailed
    ? 'its annotations could not be parsed'
    : r.writeBack.config === null
      ? 'its write-back annotations are invalid'
      : null;
  return { selection, failure };
}

function fallThroughNote(s: AppSelection, app: SelectableApp, why: string, next: boolean): AnnotationProblem {
  const tail = next
    ? 'trying the next matching applicationRef'
    : 'no other applicationRef matches, so the application is not processed';
  return annotationProblem(
    'warning',
    fieldLocator(s.updater, `spec.applicationRefs[${s.ref.index}]`),
    s.ref.namePattern,
    `Application ${app.namespace}/${app.name} cannot use this applicationRef (${why}); ${tail}`,
  );
}

function contestNotes(candidates: readonly Candidate[], chosen: AppSelection, app: SelectableApp): AnnotationProblem[] {
  const seen = new Set<string>([chosen.updater.name]);
  const notes: AnnotationProblem[] = [];
  for (const c of candidates) {
    if (seen.has(c.updater.metadata.name)) continue;
    seen.add(c.updater.metadata.name);
    notes.push(
      annotationProblem(
        'warning',
        fieldLocator(nameOf(c), `spec.applicationRefs[${c.index}].namePattern`),
        c.ref.namePattern,
        `Application ${app.namespace}/${app.name} is also selected by ImageUpdater ${chosen.updater.namespace}/${chosen.updater.name} ` +
          `(spec.applicationRefs[${chosen.ref.index}]); only that one manages it (most specific applicationRef first, then ImageUpdater name order)`,
      ),
    );
  }
  return notes;
}

/** Everything a failed candidate reported, as warnings (the anchor logs them and falls through). */
function failedProblems(s: AppSelection): AnnotationProblem[] {
  return [...s.problems, ...s.writeBack.problems].map(asWarning);
}

/** The app's effective configuration, or null when no ImageUpdater selects it. */
export function selectApplication(selection: CompiledSelection, app: SelectableApp): AppSelection | null {
  const candidates = selection.candidates(app);
  const failed: { attempt: AppSelection; note: AnnotationProblem }[] = [];
  for (const [i, c] of candidates.entries()) {
    const { selection: attempt, failure } = c.ref.useAnnotations === true ? fromAnnotations(c, app) : fromCr(c, app);
    if (failure === null) {
      const earlier = failed.flatMap((f) => [...failedProblems(f.attempt), f.note]);
      return { ...attempt, problems: [...earlier, ...attempt.problems, ...contestNotes(candidates, attempt, app)] };
    }
    failed.push({ attempt, note: fallThroughNote(attempt, app, failure, i < candidates.length - 1) });
  }
  const [head, ...rest] = failed;
  if (!head) return null;
  // Nothing usable: the most specific candidate, with its own problems as they are and no images.
  const problems = [
    ...head.attempt.problems,
    head.note,
    ...rest.flatMap((f) => [...failedProblems(f.attempt), f.note]),
  ];
  return {
    ...head.attempt,
    images: [],
    imagesVerification: {},
    problems: [...problems, ...contestNotes(candidates, head.attempt, app)],
  };
}
