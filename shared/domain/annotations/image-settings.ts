/**
 * Per-image settings: `<alias>.<key>` first, then the application-wide key, then the default.
 * Blank values count as unset and fields are merged one by one ([v1] behaviour: a blank per-image
 * value no longer hides the app-wide one). Invalid allow-tags, ignore-tags or platforms make the
 * image unusable (error problem; the anchor would match nothing); other mistakes fall back with a warning.
 */
import { allowTagsMatcher, ignoreTagsMatcher, splitIgnoreTags } from '../policy/tag-filters.ts';
import { parsePlatform } from '../policy/platform.ts';
import { PolicyError } from '../model/policy-error.ts';
import { parseStrategy, STRATEGY_FLAGS, type StrategyName } from '../policy/strategy.ts';
import { appKey, firstValue, imageKey, type FoundValue, type ImageKey } from './keys.ts';
import { annotationProblem, oversizedValue, type AnnotationProblem } from './problem.ts';
import { parseCredentialSource } from '../registry/credential-source.ts';
import { helmParameterNameProblem } from '../writeback/helm-parameter-name.ts';

export interface ImageSettings {
  strategy: StrategyName;
  allowTags?: string;
  ignoreTags: string[];
  forceUpdate: boolean;
  pullSecret?: string;
  /** Wanted os/arch[/variant]; empty = the controller default. */
  platforms: string[];
  helm: { imageName?: string; imageTag?: string; imageSpec?: string };
  kustomize: { imageName?: string };
  /** Config-management-plugin env names; only an ImageUpdater's manifestTargets.plugin sets them (annotations cannot). */
  plugin?: { imageName?: string; imageTag?: string; imageSpec?: string };
}

export interface ImageSettingsResult {
  settings: ImageSettings;
  problems: AnnotationProblem[];
  /** Annotation keys that contributed a value (empty = nothing configured, all defaults). */
  present: string[];
  /** false when an error problem makes the image unusable. */
  valid: boolean;
}

const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

/** Read the settings of the image with `alias` ('' = no alias: only application-wide keys apply). */
export function readImageSettings(annotations: Record<string, string>, alias: string): ImageSettingsResult {
  const problems: AnnotationProblem[] = [];
  const present: string[] = [];
  const a = alias === '' ? undefined : alias;
  const problem = (severity: AnnotationProblem['severity'], f: FoundValue, detail: string) =>
    problems.push(annotationProblem(severity, f.key, f.value, detail, a));
  const policyProblem = (e: PolicyError) => problems.push(annotationProblem('error', e.field, e.value, e.detail, a));
  const lookup = (key: ImageKey, appWide: boolean): FoundValue | undefined => {
    const keys = [...(a !== undefined ? [imageKey(a, key)] : []), ...(appWide ? [appKey(key)] : [])];
    const found = firstValue(annotations, keys);
    if (!found) return undefined;
    present.push(found.key);
    const oversized = oversizedValue(found.value);
    if (oversized) problem('error', found, oversized);
    return oversized ? undefined : found;
  };

  const settings: ImageSettings = {
    strategy: 'semver',
    ignoreTags: [],
    forceUpdate: false,
    platforms: [],
    helm: {},
    kustomize: {},
  };

  const strategy = lookup('update-strategy', true);
  if (strategy) {
    const parsed = parseStrategy(strategy.value);
    settings.strategy = parsed.strategy;
    if (parsed.warning) problem('warning', strategy, parsed.warning);
  }

  let allow = lookup('allow-tags', true);
  if (!allow && a !== undefined) {
    allow = lookup('tag-match', false);
    if (allow) problem('warning', allow, 'tag-match is deprecated, use allow-tags');
  }
  if (allow) {
    settings.allowTags = allow.value;
    const { error } = allowTagsMatcher(allow.value, allow.key);
    if (error) policyProblem(error);
  }

  const ignore = lookup('ignore-tags', true);
  if (ignore) {
    settings.ignoreTags = splitIgnoreTags(ignore.value);
    const { error } = ignoreTagsMatcher(settings.ignoreTags, ignore.key);
    if (error) policyProblem(error);
  }

  const force = lookup('force-update', true);
  if (force) {
    const v = force.value.toLowerCase();
    settings.forceUpdate = TRUE.has(v);
    if (!TRUE.has(v) && !FALSE.has(v)) problem('warning', force, 'expected true or false; treating it as false');
  }

  const pullSecret = lookup('pull-secret', true);
  if (pullSecret) {
    try {
      parseCredentialSource(pullSecret.value, false);
      settings.pullSecret = pullSecret.value;
    } catch (e) {
      problem('warning', pullSecret, `${(e as Error).message}; using the registry credentials instead`);
    }
  }

  const platforms = lookup('platforms', false);
  if (platforms) {
    settings.platforms = platforms.value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const used = STRATEGY_FLAGS[settings.strategy].readsManifests;
    for (const p of settings.platforms) {
      try {
        parsePlatform(p, platforms.key);
      } catch (e) {
        if (!(e instanceof PolicyError)) throw e;
        if (used) policyProblem(e);
        else
          problems.push(
            annotationProblem(
              'warning',
              e.field,
              e.value,
              `${e.detail} (ignored: strategy ${settings.strategy} does not read manifests)`,
              a,
            ),
          );
      }
    }
  }

  const helmName = lookup('helm.image-name', false);
  const helmTag = lookup('helm.image-tag', false);
  const helmSpec = lookup('helm.image-spec', false);
  const kustomizeName = lookup('kustomize.image-name', false);
  for (const f of [helmName, helmTag, helmSpec]) {
    const bad = f && helmParameterNameProblem(f.value);
    if (bad) problem('error', f, bad);
  }
  if (helmName) settings.helm.imageName = helmName.value;
  if (helmTag) settings.helm.imageTag = helmTag.value;
  if (helmSpec) settings.helm.imageSpec = helmSpec.value;
  if (kustomizeName) settings.kustomize.imageName = kustomizeName.value;
  if (helmSpec && (helmName || helmTag))
    problem('warning', helmSpec, 'helm.image-spec is set, so helm.image-name and helm.image-tag are ignored');
  if (kustomizeName && (helmName || helmTag || helmSpec)) {
    problem(
      'warning',
      kustomizeName,
      'both helm.* and kustomize.* targets are set for this image; the one matching the application type is used',
    );
  }

  return { settings, problems, present, valid: !problems.some((p) => p.severity === 'error') };
}
