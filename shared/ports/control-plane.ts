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

/** What following registries.conf reports. */
export interface EndpointsHandlers {
  /** The configuration changed and parsed: these endpoints are in force from now on. */
  changed(endpoints: readonly RegistryEndpoint[]): void | Promise<void>;
  /** An edit was refused (the error names the field); the last good configuration stays in force. */
  refused?(e: TagflowError): void;
  /** The configuration could not be listed or watched (retried by itself). */
  error(e: TagflowError): void;
  recovered?(): void;
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
  /**
   * registries.conf of this control plane, as in force now: read again on each call (the file only
   * when its modification time changed; while `watchEndpoints` follows it, the followed value). An
   * edit that does not parse is refused (reported, naming the field) and the last good
   * configuration returned; with none yet, the error is thrown.
   */
  endpoints(): Promise<readonly RegistryEndpoint[]>;
  /** Follows registries.conf (the ConfigMap by list + watch, the file by its modification time). */
  watchEndpoints(handlers: EndpointsHandlers): Feed;
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
