/**
 * A control plane's registries.conf: the `--registries-conf-path` file when given (shared by every
 * control plane), else the `registries.conf` key of its argocd-image-updater-config ConfigMap.
 * Missing → built-in defaults; invalid → an error naming the control plane and the field.
 * `followRegistriesConf` keeps following it: the ConfigMap by list + watch (an edit arrives within
 * seconds), the file by its modification time.
 */
import { statSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseRegistriesConf, type RegistryEndpoint } from '../../domain/registry/index.ts';
import { PermanentError, type TagflowError } from '../../errors.ts';
import type { ConfigReader } from '../../ports/application-store.ts';
import { watchConfigMap } from './config-map-watch.ts';
import { readRegistriesConfFile } from './registries-conf-file.ts';

export const CONFIG_MAP = 'argocd-image-updater-config';
export const REGISTRIES_CONF_KEY = 'registries.conf';

export interface RegistriesConfSource {
  /** `--registries-conf-path` ('' = none at all: built-in defaults only). */
  path?: string;
  reader: ConfigReader;
  namespace: string;
  controlPlane: string;
}

export interface RegistriesConf {
  endpoints: RegistryEndpoint[];
  from: string;
  missing: boolean;
}

/** Where the configuration comes from, as messages name it. */
export function describeRegistriesConfSource(s: Omit<RegistriesConfSource, 'reader'>): string {
  if (s.path === '') return 'built-in defaults';
  if (s.path !== undefined) return s.path;
  return `configmap ${s.namespace}/${CONFIG_MAP} of control plane ${s.controlPlane}`;
}

/** Parses registries.conf text read from `from`; throws a PermanentError naming the source and the field. */
export function parseRegistriesConfFrom(text: string | undefined, from: string): RegistriesConf {
  if (!text?.trim()) return { endpoints: [], from, missing: false };
  try {
    return { endpoints: parseRegistriesConf(text), from, missing: false };
  } catch (e) {
    throw new PermanentError(
      'config.registries-conf',
      `invalid registries.conf (${from}): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

export { readRegistriesConfFile };

export async function readRegistriesConf(s: RegistriesConfSource): Promise<RegistriesConf> {
  const from = describeRegistriesConfSource(s);
  let text: string | undefined;
  if (s.path !== undefined) {
    if (s.path === '') return { endpoints: [], from, missing: false };
    const file = readRegistriesConfFile(s.path);
    if (file === null) return { endpoints: [], from, missing: true };
    text = file;
  } else {
    text = (await s.reader.readConfigMap(s.namespace, CONFIG_MAP))?.[REGISTRIES_CONF_KEY];
  }
  return parseRegistriesConfFrom(text, from);
}

/** What identifies one version of a file: changes with every write (mtime, size, inode); null when missing. */
export function fileStamp(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return null;
  }
}

export interface RegistriesConfFollowHandlers {
  /** The configuration as read now (after every list, edit or file change); the text is kept for deduplication. */
  read(r: { conf: RegistriesConf; text: string } | { invalid: TagflowError; text: string }): void;
  /** The ConfigMap could not be listed or watched (retried by itself). */
  error(e: TagflowError): void;
  recovered?(): void;
}

export interface RegistriesConfFollower {
  start(): void;
  stop(): Promise<void>;
  readonly firstSync: Promise<void>;
}

/**
 * Follows the configuration: every read is handed to `read` (parsed, or the parse error).
 * The ConfigMap by list + watch (field selector on its name); the file by a check of its
 * modification time every `filePollMs` (default 1 s); '' (no configuration at all): never changes.
 */
export function followRegistriesConf(
  s: Omit<RegistriesConfSource, 'reader'> & { kc: KubeConfig; filePollMs?: number },
  h: RegistriesConfFollowHandlers,
): RegistriesConfFollower {
  const from = describeRegistriesConfSource(s);
  const deliver = (text: string | undefined) => {
    try {
      h.read({ conf: parseRegistriesConfFrom(text, from), text: text ?? '' });
    } catch (e) {
      h.read({ invalid: e as TagflowError, text: text ?? '' });
    }
  };
  if (s.path === '') return { start() {}, stop: async () => {}, firstSync: Promise.resolve() };
  if (s.path !== undefined) {
    const path = s.path;
    let timer: NodeJS.Timeout | undefined;
    let seen: string | null | undefined;
    const check = () => {
      const stamp = fileStamp(path);
      if (stamp === seen) return;
      seen = stamp;
      if (stamp === null) return h.read({ conf: { endpoints: [], from, missing: true }, text: '' });
      let text: string | null;
      try {
        text = readRegistriesConfFile(path);
      } catch (e) {
        if (e instanceof PermanentError) return h.read({ invalid: e, text: stamp });
        seen = undefined; // replaced between stat and read: next time
        return;
      }
      if (text === null)
        seen = undefined; // removed between stat and read: next time
      else deliver(text);
    };
    return {
      start() {
        if (timer) return;
        check();
        timer = setInterval(check, s.filePollMs ?? 1000);
        timer.unref();
      },
      async stop() {
        if (timer) clearInterval(timer);
        timer = undefined;
      },
      firstSync: Promise.resolve(),
    };
  }
  return watchConfigMap(
    {
      kc: s.kc,
      namespace: s.namespace,
      name: CONFIG_MAP,
      what: `control plane ${s.controlPlane}: ConfigMap ${s.namespace}/${CONFIG_MAP}`,
    },
    {
      content: (data) => deliver(data?.[REGISTRIES_CONF_KEY]),
      error: (e) => h.error(e),
      recovered: () => h.recovered?.(),
    },
  );
}
