/**
 * A control plane over client-node: one kubeconfig context's Applications, ImageUpdaters, Secrets,
 * ConfigMaps, Events and registries.conf, every error naming the control plane.
 */
import type { Redis } from 'ioredis';
import type { Application } from '../../domain/model/application.ts';
import type { RegistryEndpoint } from '../../domain/registry/endpoint.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ControlPlane, ControlPlanes, Feed, FeedHandlers, ImageUpdaterObject } from '../../ports/control-plane.ts';
import { PermanentError } from '../../errors.ts';
import type { Keys } from '../redis/keys.ts';
import { parseApplication } from './application-schema.ts';
import type { ControlPlaneConfig } from './control-planes.ts';
import { APPLICATION_RESOURCE, KubeApplicationStore } from './kube-application-store.ts';
import { KubeConfigReader } from './kube-config-reader.ts';
import { KubeEventSink } from './kube-event-sink.ts';
import { IMAGE_UPDATER_RESOURCE, KubeImageUpdaterStore, parseImageUpdaterObject } from './kube-image-updater-store.ts';
import { listWatch } from './list-watch.ts';
import { readRegistriesConf } from './registries-conf-source.ts';

export interface ControlPlaneSettings {
  /** `--argocd-namespace`; default the context's namespace, else `argocd`. */
  argocdNamespace?: string;
  /** `--watch-namespaces` / `--application-namespace`: '*' = all; empty = the argocd namespace. */
  watchNamespaces: readonly string[];
  registriesConfPath?: string;
  kubeEvents: boolean;
  /** For Event deduplication across processes. */
  redis: Redis;
  keys: Keys;
  log: Logger;
}

export class KubeControlPlane implements ControlPlane {
  readonly name: string;
  readonly argocdNamespace: string;
  readonly watchNamespaces: readonly string[] | '*';
  readonly applications: KubeApplicationStore;
  readonly config: KubeConfigReader;
  readonly events?: KubeEventSink;
  readonly imageUpdaters: KubeImageUpdaterStore;
  private cached?: Promise<readonly RegistryEndpoint[]>;

  constructor(
    private readonly cp: ControlPlaneConfig,
    private readonly s: ControlPlaneSettings,
  ) {
    this.name = cp.name;
    this.argocdNamespace = s.argocdNamespace ?? cp.contextNamespace ?? 'argocd';
    this.watchNamespaces = s.watchNamespaces.includes('*')
      ? '*'
      : s.watchNamespaces.length > 0
        ? [...new Set(s.watchNamespaces)]
        : [this.argocdNamespace];
    this.applications = new KubeApplicationStore(cp.kc, {
      controlPlane: cp.name,
      onInvalid: (e) => s.log.warn({ controlPlane: cp.name, code: e.code }, e.message),
    });
    this.config = new KubeConfigReader(cp.kc, cp.name);
    this.events = s.kubeEvents ? new KubeEventSink(cp.kc, s.redis, s.keys, s.log) : undefined;
    this.imageUpdaters = new KubeImageUpdaterStore(cp.kc, cp.name);
  }

  endpoints(): Promise<readonly RegistryEndpoint[]> {
    this.cached ??= readRegistriesConf({
      path: this.s.registriesConfPath,
      reader: this.config,
      namespace: this.argocdNamespace,
      controlPlane: this.name,
    }).then(
      (r) => {
        if (r.missing)
          this.s.log.warn(
            { controlPlane: this.name, path: r.from },
            'registries.conf not found, using built-in defaults',
          );
        else if (r.endpoints.length > 0)
          this.s.log.info(
            { controlPlane: this.name, from: r.from, registries: r.endpoints.map((e) => e.prefix || e.name) },
            `loaded ${r.endpoints.length} registry configuration(s)`,
          );
        return r.endpoints;
      },
      (e: unknown) => {
        this.cached = undefined; // a control plane that was down is asked again next time
        throw e;
      },
    );
    return this.cached;
  }

  refreshEndpoints(): void {
    this.cached = undefined;
  }

  private where(namespace: string, kind: string) {
    return `control plane ${this.name}: ${kind} in ${namespace || 'all namespaces'}`;
  }

  watchApplications(namespace: string, labelSelector: string | undefined, handlers: FeedHandlers<Application>): Feed {
    return listWatch(
      {
        kc: this.cp.kc,
        resource: APPLICATION_RESOURCE,
        namespace,
        labelSelector,
        what: this.where(namespace, 'Applications'),
        parse: parseApplication,
      },
      handlers,
    );
  }

  watchImageUpdaters(namespace: string, handlers: FeedHandlers<ImageUpdaterObject>): Feed {
    return listWatch(
      {
        kc: this.cp.kc,
        resource: IMAGE_UPDATER_RESOURCE,
        namespace,
        what: this.where(namespace, 'ImageUpdaters'),
        parse: parseImageUpdaterObject,
      },
      handlers,
    );
  }
}

export class KubeControlPlanes implements ControlPlanes {
  private readonly byName = new Map<string, KubeControlPlane>();
  readonly credentials?: KubeControlPlane;

  constructor(planes: readonly ControlPlaneConfig[], settings: ControlPlaneSettings, credentialsContext?: string) {
    for (const p of planes) this.byName.set(p.name, new KubeControlPlane(p, settings));
    if (credentialsContext !== undefined) {
      const c = this.byName.get(credentialsContext);
      if (!c)
        throw new PermanentError(
          'k8s.config',
          `--credentials-context: no control plane is named "${credentialsContext}" (known: ${[...this.byName.keys()].join(', ')})`,
        );
      this.credentials = c;
    }
  }

  get names(): readonly string[] {
    return [...this.byName.keys()];
  }

  get(name: string): KubeControlPlane {
    const cp = this.byName.get(name);
    if (!cp)
      throw new PermanentError(
        'k8s.unknown-control-plane',
        `no control plane named "${name}" is configured in this process (known: ${this.names.join(', ')})`,
      );
    return cp;
  }

  all(): readonly KubeControlPlane[] {
    return [...this.byName.values()];
  }
}
