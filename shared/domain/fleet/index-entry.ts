/**
 * What the fleet index keeps per tracked Application: a slim copy of the Application, the images it
 * tracks already resolved to registry repositories, its write-back configuration and every problem
 * found reading them, and a hash of all of it. Built once when the Application (or the ImageUpdater
 * selecting it) changes, so a check never parses annotations or resolves endpoints again.
 */
import { createHash } from 'node:crypto';
import {
  readApplicationImages,
  readWriteBackConfig,
  type AnnotationProblem,
  type ImageSpec,
  type WriteBackConfig,
} from '../annotations/index.ts';
import type { PullRequestSettings } from '../imageupdater/write-back.ts';
import type { Application, ApplicationRef } from '../model/application.ts';
import { STRATEGY_FLAGS } from '../policy/strategy.ts';
import { allowTagsMatcher, ignoreTagsMatcher } from '../policy/tag-filters.ts';
import { findEndpoint, isTimeSorted, repositoryPath, type RegistryEndpoint } from '../registry/endpoint.ts';

/** An image an app tracks and the repository it is polled from. */
export interface IndexedImage {
  spec: ImageSpec;
  repoKey: string;
}

/** Where and how one repository is polled (shared by every app using it). */
export interface PollTarget {
  repoKey: string;
  /** The control plane whose registries.conf and Secrets this poll uses. */
  controlPlane: string;
  endpoint: RegistryEndpoint;
  repository: string;
  /** Credential source reference (never a secret value). */
  credentials?: string;
  /** Whether some app needs manifest metadata (digests, platforms, creation dates). */
  metadata: boolean;
  /**
   * Which tags need it: those matching at least one interest (distinct, sorted by `interestKey`).
   * Absent while `metadata` is set: every tag (an interest matching every tag, or more than
   * MAX_METADATA_INTERESTS of them).
   */
  interests?: MetadataInterest[];
}

/**
 * The tags one image wants manifest metadata for: those its allow-tags / ignore-tags let through
 * (newest-build), or exactly the followed tag (digest).
 */
export interface MetadataInterest {
  /** allow-tags as configured (absent: every tag). */
  allow?: string;
  /** ignore-tags globs, distinct and sorted (absent: none). */
  ignore?: string[];
  /** Only this tag (the digest strategy's constraint). */
  tag?: string;
}

/** More distinct interests than this in one repository: every tag is described. */
export const MAX_METADATA_INTERESTS = 32;

/** The canonical spelling of an interest (fixed field order): equal keys, equal interests. */
export function interestKey(i: MetadataInterest): string {
  return JSON.stringify({
    ...(i.allow !== undefined ? { allow: i.allow } : {}),
    ...(i.ignore && i.ignore.length > 0 ? { ignore: i.ignore } : {}),
    ...(i.tag !== undefined ? { tag: i.tag } : {}),
  });
}

/** The interest matching every tag. */
const EVERY_TAG = interestKey({});

/**
 * What manifest metadata an image needs from its repository: nothing for strategies that read no
 * manifests, and nothing for newest-build when the endpoint's tag list is time-sorted (`tagsortmode`:
 * list position stands in for the build date). The digest strategy still needs the followed tag's
 * digest on a time-sorted endpoint (the anchor fetches none there, so it can never follow a tag).
 */
export function metadataInterest(
  spec: ImageSpec,
  endpoint: Pick<RegistryEndpoint, 'tagSortMode'>,
): MetadataInterest | null {
  const strategy = spec.settings.strategy;
  if (!STRATEGY_FLAGS[strategy].readsManifests) return null;
  if (STRATEGY_FLAGS[strategy].wantsOnlyConstraintTag) return spec.constraint === '' ? null : { tag: spec.constraint };
  if (isTimeSorted(endpoint.tagSortMode)) return null;
  const allow = (spec.settings.allowTags ?? '').trim();
  const ignore = [...new Set(spec.settings.ignoreTags)].sort();
  return {
    ...(allow !== '' && allow.toLowerCase() !== 'any' ? { allow } : {}),
    ...(ignore.length > 0 ? { ignore } : {}),
  };
}

/**
 * The distinct interests of several images or apps, sorted; undefined (every tag) when one of them
 * matches every tag or there are more than MAX_METADATA_INTERESTS. An undefined list given stands
 * for every tag.
 */
export function mergeInterests(
  lists: readonly (readonly MetadataInterest[] | undefined)[],
): MetadataInterest[] | undefined {
  const byKey = new Map<string, MetadataInterest>();
  for (const list of lists) {
    if (list === undefined) return undefined;
    for (const i of list) {
      const key = interestKey(i);
      if (key === EVERY_TAG) return undefined;
      byKey.set(key, i);
    }
  }
  if (byKey.size > MAX_METADATA_INTERESTS) return undefined;
  return [...byKey.keys()].sort().map((k) => JSON.parse(k) as MetadataInterest);
}

/** Whether a tag matches at least one interest (undefined: every tag does). */
export function interestFilter(interests: readonly MetadataInterest[] | undefined): (tag: string) => boolean {
  if (interests === undefined) return () => true;
  const matchers = interests.map((i) => {
    if (i.tag !== undefined) {
      const only = i.tag;
      return (tag: string) => tag === only;
    }
    const allow = allowTagsMatcher(i.allow);
    const ignore = ignoreTagsMatcher(i.ignore ?? []);
    return (tag: string) => allow.match(tag) && !ignore.isIgnored(tag);
  });
  return (tag) => matchers.some((m) => m(tag));
}

/** The ImageUpdater custom resource that configures an app (absent: the app's own annotations). */
export interface UpdaterRef {
  namespace: string;
  name: string;
}

/** An app's effective configuration, from its annotations or from an ImageUpdater. */
export interface AppConfiguration {
  images: ImageSpec[];
  problems: AnnotationProblem[];
  writeBack: {
    config: WriteBackConfig | null;
    problems: AnnotationProblem[];
    /** ImageUpdater `gitConfig.pullRequest` (git method only). */
    pullRequest?: PullRequestSettings;
  };
  updater?: UpdaterRef;
  /** Changes whenever the configuration source changes (e.g. the ImageUpdater's generation). */
  signature?: string;
}

export interface IndexEntry extends Omit<AppConfiguration, 'images'> {
  key: string;
  ref: ApplicationRef;
  app: Application;
  tracked: IndexedImage[];
  hash: string;
}

/** `<control plane>/<namespace>/<name>`: the app key of jobs, logs, audit records and metrics. */
export function appKeyOf(ref: ApplicationRef): string {
  return `${ref.cluster}/${ref.namespace}/${ref.name}`;
}

const CP_LOCAL = /^(\S+=)?(secret|pullsecret):/i;

/**
 * The identity of a poll: registry + repository, the control plane when the credentials are one of
 * its Secrets (`@cp`), and the credentials when they are the image's own (`#ref`).
 */
export function repoKeyOf(
  cp: string,
  endpoint: RegistryEndpoint,
  repository: string,
  credentials: string | undefined,
): string {
  const base = `${endpoint.prefix || new URL(endpoint.apiUrl).host}/${repository}`;
  const local = credentials && CP_LOCAL.test(credentials) ? `@${cp}` : '';
  const own = credentials && credentials !== endpoint.credentials ? `#${credentials}` : '';
  return `${base}${local}${own}`;
}

/** The configuration an app's own annotations give (the v0 API). */
export function annotationConfiguration(app: Application): AppConfiguration | null {
  const annotations = app.metadata.annotations;
  if (annotations?.['argocd-image-updater.argoproj.io/image-list'] === undefined) return null;
  const { images, problems } = readApplicationImages(annotations);
  return { images, problems, writeBack: readWriteBackConfig(annotations) };
}

const OWN_ANNOTATIONS = 'argocd-image-updater.argoproj.io/';

/**
 * What tagflow needs of an Application: its identity, labels, the updater's own annotations
 * (others, such as kubectl's last-applied-configuration, can be large and never matter here),
 * sources and the status fields it reads; maps sorted so the hash is stable.
 */
export function slimApplication(app: Application): Application {
  const sorted = (m: Record<string, string> | undefined) =>
    m ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1))) : undefined;
  const own = (m: Record<string, string> | undefined) =>
    m ? Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith(OWN_ANNOTATIONS))) : undefined;
  return {
    metadata: {
      name: app.metadata.name,
      namespace: app.metadata.namespace,
      uid: app.metadata.uid,
      resourceVersion: app.metadata.resourceVersion,
      annotations: sorted(own(app.metadata.annotations)),
      labels: sorted(app.metadata.labels),
    },
    spec: { project: app.spec.project, source: app.spec.source, sources: app.spec.sources },
    status: {
      sourceType: app.status?.sourceType,
      sourceTypes: app.status?.sourceTypes,
      summary: { images: app.status?.summary?.images ?? [] },
    },
  };
}

/**
 * The index entry of one app of control plane `cp` and the poll targets of its repositories.
 * `config` is the app's effective configuration (null: the app is not tracked).
 */
export function buildIndexEntry(
  cp: string,
  application: Application,
  config: AppConfiguration,
  endpoints: readonly RegistryEndpoint[],
): { entry: IndexEntry; targets: PollTarget[] } {
  const ref: ApplicationRef = {
    cluster: cp,
    namespace: application.metadata.namespace,
    name: application.metadata.name,
  };
  const polls = new Map<string, { target: Omit<PollTarget, 'metadata'>; interests: MetadataInterest[] }>();
  const tracked = config.images.map((spec) => {
    const endpoint = findEndpoint(endpoints, spec.ref.registry, spec.ref.name);
    const repository = repositoryPath(endpoint, spec.ref.name);
    const credentials = spec.settings.pullSecret ?? endpoint.credentials;
    const repoKey = repoKeyOf(cp, endpoint, repository, credentials);
    const interest = metadataInterest(spec, endpoint);
    const interests = polls.get(repoKey)?.interests ?? [];
    polls.set(repoKey, {
      target: { repoKey, controlPlane: cp, endpoint, repository, ...(credentials ? { credentials } : {}) },
      interests: interest ? [...interests, interest] : interests,
    });
    return { spec, repoKey };
  });
  const targets = new Map<string, PollTarget>();
  for (const [repoKey, { target, interests }] of polls) {
    const merged = interests.length > 0 ? mergeInterests([interests]) : [];
    targets.set(repoKey, {
      ...target,
      metadata: interests.length > 0,
      ...(merged?.length ? { interests: merged } : {}),
    });
  }
  const app = slimApplication(application);
  const body = {
    key: appKeyOf(ref),
    ref,
    app,
    tracked,
    problems: config.problems,
    writeBack: config.writeBack,
    ...(config.updater ? { updater: config.updater } : {}),
  };
  const { resourceVersion: _rv, ...stableMeta } = app.metadata;
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        ...body,
        app: { ...app, metadata: stableMeta },
        signature: config.signature ?? '',
        targets: [...targets.values()],
      }),
    )
    .digest('hex')
    .slice(0, 32);
  return {
    entry: { ...body, ...(config.signature ? { signature: config.signature } : {}), hash },
    targets: [...targets.values()],
  };
}
