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
import type { Application, ApplicationRef } from '../model/application.ts';
import { STRATEGY_FLAGS } from '../policy/strategy.ts';
import { findEndpoint, repositoryPath, type RegistryEndpoint } from '../registry/endpoint.ts';

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
  writeBack: { config: WriteBackConfig | null; problems: AnnotationProblem[] };
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
  const targets = new Map<string, PollTarget>();
  const tracked = config.images.map((spec) => {
    const endpoint = findEndpoint(endpoints, spec.ref.registry, spec.ref.name);
    const repository = repositoryPath(endpoint, spec.ref.name);
    const credentials = spec.settings.pullSecret ?? endpoint.credentials;
    const repoKey = repoKeyOf(cp, endpoint, repository, credentials);
    const metadata = STRATEGY_FLAGS[spec.settings.strategy].readsManifests;
    const prev = targets.get(repoKey);
    targets.set(repoKey, {
      repoKey,
      controlPlane: cp,
      endpoint,
      repository,
      ...(credentials ? { credentials } : {}),
      metadata: metadata || (prev?.metadata ?? false),
    });
    return { spec, repoKey };
  });
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
