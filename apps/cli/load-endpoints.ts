import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../../shared/config/schema.ts';
import { parseRegistriesConf, type RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';

export const CONFIG_MAP = 'argocd-image-updater-config';

/**
 * registries.conf, from `--registries-conf-path` when given, else from the ConfigMap the anchor
 * mounts it from. Missing → built-in defaults; invalid → the process refuses to start.
 */
export async function loadEndpoints(config: Config, reader: ConfigReader, namespace: string, log: Logger): Promise<RegistryEndpoint[]> {
  let text: string | undefined;
  let from: string;
  if (config.registriesConfPath !== undefined) {
    from = config.registriesConfPath;
    if (from === '') return [];
    if (!existsSync(from)) {
      log.warn({ path: from }, 'registries.conf not found, using built-in defaults');
      return [];
    }
    text = readFileSync(from, 'utf8');
  } else {
    from = `configmap ${namespace}/${CONFIG_MAP}`;
    text = (await reader.readConfigMap(namespace, CONFIG_MAP))?.['registries.conf'];
  }
  if (!text?.trim()) return [];
  const endpoints = parseRegistriesConf(text);
  log.info({ from, registries: endpoints.map((e) => e.prefix || e.name) }, `loaded ${endpoints.length} registry configuration(s)`);
  return endpoints;
}
