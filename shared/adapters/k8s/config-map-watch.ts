/**
 * List + watch of ONE ConfigMap (field selector `metadata.name=<name>`) through list-watch.ts, as
 * the Applications are followed: a list gives the current content (or its absence), a watch from
 * the list's resourceVersion streams edits (bookmarks, resume, `410 Gone` → list again, one report
 * per distinct error, capped backoff).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { TagflowError } from '../../errors.ts';
import { listWatch, type ListWatch } from './list-watch.ts';

export interface ConfigMapWatchHandlers {
  /** The ConfigMap's data (`binaryData` decoded, then `data`), null when there is none; after every list and edit. */
  content(data: Record<string, string> | null, resourceVersion: string): void | Promise<void>;
  error(e: TagflowError): void;
  recovered?(): void;
}

export interface ConfigMapWatchOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  /** Names the operation in errors, e.g. `control plane prod: ConfigMap argocd/argocd-image-updater-config`. */
  what: string;
  backoff?: { initialMs: number; maxMs: number };
  /** Server-side watch timeout; the watch is resumed after it. Default 300 s. */
  watchTimeoutSeconds?: number;
}

export type ConfigMapWatch = ListWatch;

interface RawConfigMap {
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

function contentOf(cm: RawConfigMap | undefined): Record<string, string> | null {
  if (!cm) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return { ...out, ...(cm.data ?? {}) };
}

export function watchConfigMap(o: ConfigMapWatchOptions, h: ConfigMapWatchHandlers): ConfigMapWatch {
  const deliver = (cm: RawConfigMap | undefined) => h.content(contentOf(cm), cm?.metadata?.resourceVersion ?? '');
  return listWatch<RawConfigMap>(
    {
      kc: o.kc,
      resource: { group: '', version: 'v1', plural: 'configmaps' },
      namespace: o.namespace,
      fieldSelector: `metadata.name=${o.name}`,
      what: o.what,
      parse: (raw) => raw as RawConfigMap,
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: o.watchTimeoutSeconds } : {}),
    },
    {
      synced: (items) => deliver([...items.values()].find((cm) => cm.metadata?.name === o.name)),
      changed: (type, _key, cm) => deliver(type === 'DELETED' ? undefined : cm),
      error: (e) => h.error(e),
      recovered: () => h.recovered?.(),
    },
  );
}
