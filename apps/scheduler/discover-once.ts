/**
 * One complete discovery of every control plane, without watching (`tagflow run --once`): list the
 * Applications of the watched namespaces and the ImageUpdaters, and replace each control plane's
 * part of the fleet index. A control plane that cannot be listed is reported (the cycle counts it
 * as an error) and keeps its last known apps; the others go on.
 */
import type { Application } from '../../shared/domain/model/application.ts';
import { describeError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { ControlPlane, ControlPlanes } from '../../shared/ports/control-plane.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import { indexUpdates, updaterSet, type DiscoveryFilters } from './discovery.ts';

export interface DiscoverDeps {
  controlPlanes: ControlPlanes;
  index: Pick<FleetIndex, 'sync' | 'setStatus'>;
  log: Logger;
  filters: DiscoveryFilters;
  labelSelector?: string;
}

async function listAll(cp: ControlPlane, labelSelector: string | undefined) {
  const namespaces = cp.watchNamespaces === '*' ? [''] : cp.watchNamespaces;
  const apps: Application[] = [];
  const crs = [];
  for (const ns of namespaces) {
    apps.push(...(await cp.applications.list(ns, { labelSelector })));
    crs.push(...(await cp.imageUpdaters.list(ns)));
  }
  return { apps, crs, endpoints: await cp.endpoints() };
}

/** Transient failures (5xx, network) are tried again this often before the control plane counts as failed. */
const ATTEMPTS = 4;

async function listWithRetries(cp: ControlPlane, deps: DiscoverDeps) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listAll(cp, deps.labelSelector);
    } catch (e) {
      const err = describeError(e);
      if (err.kind === 'permanent' || attempt >= ATTEMPTS) throw e;
      const delay = 500 * 2 ** (attempt - 1);
      deps.log.warn({ controlPlane: cp.name, code: err.code, attempt }, `${err.message}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export async function discoverOnce(deps: DiscoverDeps): Promise<void> {
  await Promise.all(
    deps.controlPlanes.all().map(async (cp) => {
      try {
        const { apps, crs, endpoints } = await listWithRetries(cp, deps);
        const updaters = updaterSet(crs);
        for (const p of updaters.problems)
          deps.log[p.severity === 'error' ? 'error' : 'warn'](
            { controlPlane: cp.name, imageUpdater: p.updater },
            p.message,
          );
        const updates = indexUpdates(cp.name, apps, updaters, endpoints, deps.filters);
        await deps.index.sync(cp.name, updates, { full: true });
        await deps.index.setStatus(cp.name, { ok: true, since: Date.now() });
      } catch (e) {
        const err = describeError(e);
        deps.log.error({ controlPlane: cp.name, code: err.code }, err.message);
        await deps.index.setStatus(cp.name, { ok: false, code: err.code, message: err.message, since: Date.now() });
      }
    }),
  );
}
