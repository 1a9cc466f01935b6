/**
 * One `images[]` entry of an applicationRef → the annotation model's ImageSpec. The merged
 * commonUpdateSettings and the manifest targets are handed to the annotation reader as the
 * equivalent per-image annotations, so strategies (with the latest/name deprecation warnings),
 * allow-tags, pull secrets, platforms and Helm/Kustomize targets are validated exactly as for an
 * annotated app; its problems are re-addressed to the CR fields. ignoreTags stays a list (a glob may
 * contain ','), the constraint is the imageName's tag part as in an image-list entry (it may contain
 * ',', which an annotation cannot), and plugin targets exist only here.
 */
import { imageKey, type ImageKey } from '../annotations/keys.ts';
import { annotationProblem, type AnnotationProblem } from '../annotations/problem.ts';
import { readImageSettings } from '../annotations/image-settings.ts';
import type { ImageSpec } from '../annotations/read-images.ts';
import { parseReference, validateImageRef } from '../image/image-ref.ts';
import { PolicyError } from '../model/policy-error.ts';
import { ignoreTagsMatcher } from '../policy/tag-filters.ts';
import { parseConstraint } from '../semver/constraint.ts';
import { pullSecretNamespaceProblem, resolveVerification, type ImageVerification } from './image-checks.ts';
import type { MergedSettings, MergedVerification, Sourced } from './merge.ts';
import { fieldLocator, relocateProblem, type UpdaterName } from './problem.ts';
import type { ImageConfig } from './schema.ts';

export interface CrImageInput {
  updater: UpdaterName;
  /** The Application's namespace (= the CR's). */
  namespace: string;
  image: ImageConfig;
  /** e.g. `spec.applicationRefs[0].images[1]`. */
  path: string;
  settings: MergedSettings;
  verification: MergedVerification | null;
}

export interface CrImageResult {
  /** null when an error problem makes the image unusable. */
  spec: ImageSpec | null;
  verification?: ImageVerification;
  problems: AnnotationProblem[];
}

function constraintProblem(spec: ImageSpec): string | null {
  if (spec.settings.strategy === 'digest' && spec.constraint.trim() === '') {
    return `update strategy digest needs the tag to follow in imageName (e.g. ${spec.imageName}:latest)`;
  }
  if (spec.settings.strategy !== 'semver') return null;
  try {
    parseConstraint(spec.constraint, 'imageName');
    return null;
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    return `${JSON.stringify(spec.constraint)} is not a semver constraint: ${e.detail}`;
  }
}

export function imageFromCr(input: CrImageInput): CrImageResult {
  const { image, settings: s, updater } = input;
  const alias = image.alias;
  const at = (path: string) => fieldLocator(updater, path);
  const annotations: Record<string, string> = {};
  const locators = new Map<string, string>();
  const put = (key: ImageKey, field: Sourced<string> | undefined) => {
    if (field === undefined) return;
    annotations[imageKey(alias, key)] = field.value;
    locators.set(imageKey(alias, key), at(field.path));
  };
  const text = <T>(field: Sourced<T> | undefined, render: (v: T) => string): Sourced<string> | undefined =>
    field && { value: render(field.value), path: field.path };
  put('update-strategy', s.updateStrategy);
  put('allow-tags', s.allowTags);
  put('force-update', text(s.forceUpdate, String));
  put('pull-secret', s.pullSecret);
  put(
    'platforms',
    text(s.platforms, (p) => p.join(',')),
  );
  const targets = image.manifestTargets;
  const target = (value: string | undefined, path: string) =>
    value === undefined ? undefined : { value, path: `${input.path}.manifestTargets.${path}` };
  put('helm.image-name', target(targets?.helm?.name, 'helm.name'));
  put('helm.image-tag', target(targets?.helm?.tag, 'helm.tag'));
  put('helm.image-spec', target(targets?.helm?.spec, 'helm.spec'));
  put('kustomize.image-name', target(targets?.kustomize?.name, 'kustomize.name'));

  const read = readImageSettings(annotations, alias);
  const problems = read.problems.map((p) => relocateProblem(p, locators));
  const settings = read.settings;
  let valid = read.valid;
  const fail = (path: string, value: string, detail: string) => {
    problems.push(annotationProblem('error', at(path), value, detail, alias));
    valid = false;
  };

  if (s.ignoreTags) {
    settings.ignoreTags = [...s.ignoreTags.value];
    const { error } = ignoreTagsMatcher(settings.ignoreTags, s.ignoreTags.path);
    if (error) fail(error.field, error.value, error.detail);
  }
  const plugin = targets?.plugin;
  if (plugin) {
    settings.plugin = {
      ...(plugin.name !== undefined ? { imageName: plugin.name } : {}),
      ...(plugin.tag !== undefined ? { imageTag: plugin.tag } : {}),
      ...(plugin.spec !== undefined ? { imageSpec: plugin.spec } : {}),
    };
  }
  const secretNs = pullSecretNamespaceProblem(settings.pullSecret, input.namespace);
  if (secretNs && s.pullSecret) fail(s.pullSecret.path, s.pullSecret.value, secretNs);

  const imageName = image.imageName.trim();
  const ref = { ...parseReference(imageName), alias };
  const spec: ImageSpec = {
    alias,
    ref,
    constraint: ref.tag ?? '',
    settings,
    imageName,
    original: `${alias}=${imageName}`,
  };
  const badRef = validateImageRef(ref);
  const badConstraint = badRef ? null : constraintProblem(spec);
  if (badRef || badConstraint)
    fail(
      `${input.path}.imageName`,
      image.imageName,
      badRef ? `not a valid image reference: ${badRef}` : badConstraint!,
    );

  const v = resolveVerification(input.verification);
  if (v.error) fail(v.error.path, '', v.error.detail);
  return { spec: valid ? spec : null, ...(v.verification ? { verification: v.verification } : {}), problems };
}
