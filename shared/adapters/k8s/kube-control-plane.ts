/**
 * A control plane over client-node: one kubeconfig context's Applications, ImageUpdaters, Secrets,
 * ConfigMaps, Events and registries.conf, every error naming the control plane. registries.conf is
 * followed without a restart: an edit that parses is in force at once, one that does not is refused
 * (an error log and a Warning Event on the ConfigMap, naming the field) and the last good one stays.
 */
import type { Redis } from 'ioredis';
import type { Application } from '../../domain/model/application.ts';
import type { RegistryEndpoint } from '../../domain/registry/endpoint.ts';
import type { Logger } from '../../logging/logger.ts';
import type {
  ControlPlane,
  ControlPlanes,
  EndpointsHandlers,
  Feed,
  FeedHandlers,
  ImageUpdaterObject,
} from '../../ports/control-plane.ts';
import { describeError, PermanentError, type TagflowError } from '../../errors.ts';
import type { Keys } from '../redis/keys.ts';
import { parseApplication } from './application-schema.ts';
import type { ControlPlaneConfig } from './control-planes.ts';
import { APPLICATION_RESOURCE, KubeApplicationStore } from './kube-application-store.ts';
import { KubeConfigReader } from './kube-config-reader.ts';
import { KubeEventSink } from './kube-event-sink.ts';
import { KubeEventRecorder } from './kube-events.ts';
import { IMAGE_UPDATER_RESOURCE, KubeImageUpdaterStore, parseImageUpdaterObject } from './kube-image-updater-store.ts';
import { listWatch } from './list-watch.ts';
import {
  CONFIG_MAP,
  fileStamp,
  followRegistriesConf,
  readRegistriesConf,
  type RegistriesConf,
} from './registries-conf-source.ts';

export interface ControlPlaneSettings {
  /** `--argocd-namespace`; default the context's namespace, else `argocd`. */
  argocdNamespace?: string;
  /** `--watch-namespaces` / `--application-namespace`: '*' = all; empty = the argocd namespace. */
  watchNamespaces: readonly string[];
  registriesConfPath?: string;
  /** How often the `--registries-conf-path` file's modification time is checked while followed (default 1 s). */
  registriesConfPollMs?: number;
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
  private readonly recorder: KubeEventRecorder;

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
    this.recorder = new KubeEventRecorder(cp.kc);
  }

  /** The last configuration that parsed, and the one refused last (reported once). */
  private good?: { endpoints: readonly RegistryEndpoint[]; key: string };
  private refusedLast?: string;
  /** The file's stamp when it was read last (`--registries-conf-path`). */
  private fileSeen?: string | null;
  private following = 0;

  private get confSource() {
    return {
      path: this.s.registriesConfPath,
      namespace: this.argocdNamespace,
      controlPlane: this.name,
    };
  }

  async endpoints(): Promise<readonly RegistryEndpoint[]> {
    if (this.good && this.following > 0) return this.good.endpoints; // the watch keeps it current
    const path = this.s.registriesConfPath;
    let stamp: string | null | undefined;
    if (path) {
      stamp = fileStamp(path);
      if (this.good && stamp === this.fileSeen) return this.good.endpoints;
    }
    try {
      const conf = await readRegistriesConf({ ...this.confSource, reader: this.config });
      this.accept(conf);
    } catch (e) {
      const err = describeError(e);
      if (!this.good || err.code !== 'config.registries-conf') throw e;
      this.refuse(e as TagflowError);
    }
    if (path) this.fileSeen = stamp;
    return this.good!.endpoints;
  }

  watchEndpoints(handlers: EndpointsHandlers): Feed {
    const follower = followRegistriesConf(
      { ...this.confSource, kc: this.cp.kc, filePollMs: this.s.registriesConfPollMs },
      {
        read: (r) => {
          if ('invalid' in r) {
            this.refuse(r.invalid);
            handlers.refused?.(r.invalid);
          } else if (this.accept(r.conf)) {
            void Promise.resolve(handlers.changed(this.good!.endpoints)).catch((e: unknown) =>
              handlers.error(e as TagflowError),
            );
          }
        },
        error: (e) => handlers.error(e),
        recovered: () => handlers.recovered?.(),
      },
    );
    let started = false;
    return {
      start: () => {
        if (started) return;
        started = true;
        this.following++;
        follower.start();
      },
      stop: async () => {
        if (started) this.following--;
        started = false;
        await follower.stop();
      },
      firstSync: follower.firstSync,
    };
  }

  /** A configuration that parsed: in force from now on. Returns whether it differs from the one before. */
  private accept(conf: RegistriesConf): boolean {
    this.refusedLast = undefined;
    const key = JSON.stringify(conf.endpoints);
    if (this.good?.key === key) return false;
    const first = this.good === undefined;
    this.good = { endpoints: conf.endpoints, key };
    const registries = conf.endpoints.map((e) => e.prefix || e.name);
    if (conf.missing)
      this.s.log.warn(
        { controlPlane: this.name, path: conf.from },
        'registries.conf not found, using built-in defaults',
      );
    else if (first) {
      if (conf.endpoints.length > 0)
        this.s.log.info(
          { controlPlane: this.name, from: conf.from, registries },
          `loaded ${conf.endpoints.length} registry configuration(s)`,
        );
    } else
      this.s.log.info(
        { controlPlane: this.name, from: conf.from, registries },
        `registries.conf changed (${conf.from}): ${conf.endpoints.length} registry configuration(s) now in force`,
      );
    return !first;
  }

  /** An edit that does not parse: reported once (log, Warning Event on the ConfigMap), the last good one stays. */
  private refuse(e: TagflowError): void {
    if (this.refusedLast === e.message) return;
    this.refusedLast = e.message;
    const file = this.s.registriesConfPath;
    const where = file ? { path: file } : { configMap: `${this.argocdNamespace}/${CONFIG_MAP}` };
    const kept = this.good
      ? `the last good configuration (${this.good.endpoints.length} registry configuration(s)) stays in force`
      : 'no configuration was loaded before';
    this.s.log.error(
      { controlPlane: this.name, code: e.code, ...where },
      `refused an edit of registries.conf: ${e.message}; ${kept}`,
    );
    if (file || !this.s.kubeEvents) return;
    void this.recorder
      .record({
        subject: { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.argocdNamespace, name: CONFIG_MAP },
        reason: 'InvalidRegistriesConf',
        message: `${e.message}; ${kept}`.slice(0, 1024),
        type: 'Warning',
      })
      .catch((err: unknown) =>
        this.s.log.warn(
          { controlPlane: this.name, code: describeError(err).code },
          `could not record a Kubernetes event: ${describeError(err).message}`,
        ),
      );
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
