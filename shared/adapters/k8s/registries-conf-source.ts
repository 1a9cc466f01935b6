/**
 * A control plane's registries.conf: the `--registries-conf-path` file when given (shared by every
 * control plane), else the `registries.conf` key of its argocd-image-updater-config ConfigMap.
 * Missing → built-in defaults; invalid → an error naming the control plane and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseRegistriesConf, type RegistryEndpoint } from '../../domain/registry/index.ts';
import { PermanentError } from '../../errors.ts';
import type { ConfigReader } from '../../ports/application-store.ts';

export const CONFIG_MAP = 'argocd-image-updater-config';

export interface RegistriesConfSource {
  /** `--registries-conf-path` ('' = none at all: built-in defaults only). */
  path?: string;
  reader: ConfigReader;
  namespace: string;
  controlPlane: string;
}

export async function readRegistriesConf(
  s: RegistriesConfSource,
): Promise<{ endpoints: RegistryEndpoint[]; from: string; missing: boolean }> {
  let text: string | undefined;
  let from: string;
  if (s.path !== undefined) {
    from = s.path;
    if (from === '') return { endpoints: [], from: 'built-in defaults', missing: false };
    if (!existsSync(from)) return { endpoints: [], from, missing: true };
    text = readFileSync(from, 'utf8');
  } else {
    from = `configmap ${s.namespace}/${CONFIG_MAP} of control plane ${s.controlPlane}`;
    text = (await s.reader.readConfigMap(s.namespace, CONFIG_MAP))?.['registries.conf'];
  }
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
