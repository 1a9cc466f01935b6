/**
 * Watches Argo CD Applications with a client-node informer (list, then watch from the list's
 * resourceVersion; 410 Gone → relist). client-node's informer stops for good on any other error,
 * so this restarts it after a delay until stop() is called.
 */
import { CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { TagflowError } from '../../errors.ts';
import type { Application } from '../../ports/application-store.ts';
import { parseApplication } from './application-schema.ts';
import { APPLICATION_RESOURCE } from './kube-application-store.ts';
import { classifyKubeError } from './kube-errors.ts';

export interface ApplicationWatcherOptions {
  /** Namespace to watch; '' or omitted = all namespaces. */
  namespace?: string;
  labelSelector?: string;
  onAdd?(app: Application): void;
  onUpdate?(app: Application): void;
  onDelete?(app: Application): void;
  /** A failed list/watch (the watcher restarts itself) or a malformed Application (skipped). */
  onError?(error: TagflowError): void;
  /** Delay before restarting after an error. Default 5 s. */
  restartDelayMs?: number;
}

export interface ApplicationWatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The informer's cache: every Application seen and not deleted. */
  list(): Application[];
}

export function watchApplications(kc: KubeConfig, options: ApplicationWatcherOptions): ApplicationWatcher {
  const { group, version, plural } = APPLICATION_RESOURCE;
  const ns = options.namespace ?? '';
  const path = ns ? `/apis/${group}/${version}/namespaces/${ns}/${plural}` : `/apis/${group}/${version}/${plural}`;
  const api = kc.makeApiClient(CustomObjectsApi);
  const labelSelector = options.labelSelector || undefined;
  const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> =>
    (ns
      ? await api.listNamespacedCustomObject({ group, version, plural, namespace: ns, labelSelector })
      : await api.listClusterCustomObject({ group, version, plural, labelSelector })) as KubernetesListObject<KubernetesObject>;
  const informer = makeInformer(kc, path, listFn, labelSelector);

  const deliver = (cb: ((app: Application) => void) | undefined) => (obj: KubernetesObject) => {
    if (!cb) return;
    let app: Application;
    try {
      app = parseApplication(obj);
    } catch (e) {
      options.onError?.(e as TagflowError);
      return;
    }
    cb(app);
  };
  informer.on('add', deliver(options.onAdd));
  informer.on('update', deliver(options.onUpdate));
  informer.on('delete', deliver(options.onDelete));

  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  const restart = () => {
    timer = undefined;
    if (stopped) return;
    informer.start().catch((e: unknown) => onFailure(e));
  };
  const onFailure = (err: unknown) => {
    options.onError?.(classifyKubeError(err, `watch Applications in ${ns || 'all namespaces'}`));
    if (!stopped && !timer) timer = setTimeout(restart, options.restartDelayMs ?? 5000);
  };
  informer.on('error', onFailure);

  return {
    async start() {
      stopped = false;
      await informer.start();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await informer.stop();
    },
    list: () =>
      informer.list().flatMap((o) => {
        try {
          return [parseApplication(o)];
        } catch {
          return [];
        }
      }),
  };
}
