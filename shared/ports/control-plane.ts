import type { Application } from '../domain/model/application.ts';
import type { RegistryEndpoint } from '../domain/registry/endpoint.ts';
import type { TagflowError } from '../errors.ts';
import type { ApplicationStore, ConfigReader } from './application-store.ts';
import type { EventSink } from './event-sink.ts';

export type FeedEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A list + watch of one resource kind in one namespace ('' = all), delivering parsed objects. */
export interface FeedHandlers<T> {
  synced(items: Map<string, T>): void | Promise<void>;
  changed(type: FeedEvent, key: string, item: T): void | Promise<void>;
  error(e: TagflowError): void;
  recovered?(): void;
}

export interface Feed {
  start(): void;
  stop(): Promise<void>;
  readonly firstSync: Promise<void>;
}

/** An ImageUpdater custom resource as read from the API (validated by the domain's parser). */
export interface ImageUpdaterObject {
  metadata: { namespace: string; name: string; generation?: number; uid?: string; resourceVersion?: string };
  spec?: unknown;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ImageUpdaterStore {
  list(namespace: string): Promise<ImageUpdaterObject[]>;
  /** Writes `status` through the status subresource (a merge patch of `status` only). */
  patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
}

/**
 * One Argo CD control plane (a kubeconfig context): its Applications, its Secrets and ConfigMaps,
 * its registries.conf and its Events. Every error a control plane raises names it.
 */
export interface ControlPlane {
  readonly name: string;
  /** Where Argo CD runs: the ConfigMap, the Secrets and the override-file naming rule. */
  readonly argocdNamespace: string;
  /** Namespaces whose Applications are tracked; '*' = every namespace. */
  readonly watchNamespaces: readonly string[] | '*';
  readonly applications: ApplicationStore;
  readonly config: ConfigReader;
  readonly events?: EventSink;
  readonly imageUpdaters: ImageUpdaterStore;
  /** registries.conf of this control plane (cached; read again after `refreshEndpoints`). */
  endpoints(): Promise<readonly RegistryEndpoint[]>;
  refreshEndpoints(): void;
  watchApplications(namespace: string, labelSelector: string | undefined, handlers: FeedHandlers<Application>): Feed;
  watchImageUpdaters(namespace: string, handlers: FeedHandlers<ImageUpdaterObject>): Feed;
}

/** The control planes this process serves, by name. */
export interface ControlPlanes {
  readonly names: readonly string[];
  get(name: string): ControlPlane;
  all(): readonly ControlPlane[];
  /** The control plane whose Secrets others may reference (`--credentials-context`), if any. */
  readonly credentials?: ControlPlane;
}
