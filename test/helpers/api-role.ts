/**
 * The api role of `tagflow run` in the test process, wired as roles.ts wires it (auth, dashboard,
 * JSON API, health, metrics, webhooks), on a random port, against a given kubeconfig.
 */
import { startRoles, type RunningRoles } from '../../apps/cli/compose/roles.ts';
import { createServices, type Services } from '../../apps/cli/compose/services.ts';
import { loadConfig } from '../../shared/config/load-config.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import { TEST_REDIS_URL } from './redis.ts';

export interface ApiRole {
  url: string;
  services: Services;
  close(): Promise<void>;
}

export async function startApiRole(
  kubeconfigPath: string,
  prefix: string,
  env: Record<string, string | undefined> = {},
  flags: { apiTokenFile?: string } = {},
): Promise<ApiRole> {
  const config = loadConfig(
    { kubeconfig: [kubeconfigPath], redisUrl: TEST_REDIS_URL, roles: 'api', healthPort: '0', ...flags },
    { ...env, TAGFLOW_PREFIX: prefix, TAGFLOW_API_HOST: '127.0.0.1' },
  );
  const services = createServices(config, { ...process.env, KUBECONFIG: undefined, ...env }, { log: silentLogger() });
  let roles: RunningRoles;
  try {
    roles = await startRoles(services, ['api']);
  } catch (e) {
    await services.close();
    throw e;
  }
  return {
    url: `http://127.0.0.1:${roles.apiPort}`,
    services,
    async close() {
      await roles.close();
      await services.close();
    },
  };
}
