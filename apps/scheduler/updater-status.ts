/**
 * The `status` of a control plane's ImageUpdaters after each cycle over every app (reference §2.4):
 * how many apps each one selects, how many images it manages (the apps' last checks), errors, and
 * the updates written since the last status (from the audit trail), through the status subresource.
 */
import { nextStatus, type CycleUpdate, type ImageUpdaterStatus } from '../../shared/domain/imageupdater/index.ts';
import { describeError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { AuditLog } from '../../shared/ports/audit-log.ts';
import type { ControlPlane, ControlPlanes, ImageUpdaterObject } from '../../shared/ports/control-plane.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { CycleLedger } from '../../shared/ports/cycle-ledger.ts';

export interface StatusDeps {
  cp: ControlPlane;
  ledger: Pick<CycleLedger, 'results'>;
  audit: Pick<AuditLog, 'query'>;
  log: Logger;
}

const updaterKey = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;

/** Writes the statuses; remembers when it last did, so each update is reported once. */
export class UpdaterStatusWriter {
  private since: number;

  /** `since`: updates written from then on are reported (default now). */
  constructor(
    private readonly d: StatusDeps,
    since = Date.now(),
  ) {
    this.since = since;
  }

  /**
   * @param updaters the control plane's ImageUpdaters (as last read)
   * @param appsOf app keys selected by each ImageUpdater (`namespace/name`)
   */
  async write(updaters: Iterable<ImageUpdaterObject>, appsOf: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const list = [...updaters];
    if (list.length === 0) return;
    const since = this.since;
    this.since = Date.now();
    const records = await this.d.audit.query({ since, limit: 10_000 });
    const updates = new Map<string, CycleUpdate[]>();
    for (const r of records) {
      const updater = (r.detail as { updater?: unknown } | undefined)?.updater;
      if (
        r.kind !== 'write-back' ||
        r.outcome !== 'updated' ||
        typeof updater !== 'string' ||
        !r.app.startsWith(`${this.d.cp.name}/`)
      )
        continue;
      const u: CycleUpdate = {
        alias: r.alias || (r.image ?? ''),
        image: r.image ?? '',
        oldVersion: r.current ?? '',
        newVersion: r.selected ?? '',
        at: new Date(r.at),
      };
      updates.set(updater, [...(updates.get(updater) ?? []), u]);
    }
    const apps = [...new Set([...appsOf.values()].flat())];
    const results = await this.d.ledger.results(apps);
    for (const cr of list) {
      const key = updaterKey(cr.metadata);
      const mine = appsOf.get(key) ?? [];
      let images = 0;
      let errors = 0;
      for (const a of mine) {
        const r = results.get(a);
        images += r?.considered ?? 0;
        errors += r?.errors ?? 0;
      }
      const status = nextStatus(cr.status as ImageUpdaterStatus | undefined, {
        observedGeneration: cr.metadata.generation ?? 0,
        now: new Date(),
        applicationsMatched: mine.length,
        imagesManaged: images,
        errors,
        fatalError: null,
        updates: (updates.get(key) ?? []).reverse(),
      });
      try {
        await this.d.cp.imageUpdaters.patchStatus(
          cr.metadata.namespace,
          cr.metadata.name,
          status as unknown as Record<string, unknown>,
        );
      } catch (e) {
        const err = describeError(e);
        this.d.log.warn(
          { controlPlane: this.d.cp.name, imageUpdater: key, code: err.code },
          `could not write the ImageUpdater status: ${err.message}`,
        );
      }
    }
  }
}

export { updaterKey };

/** Groups app keys by the ImageUpdater that selects them. */
export function appsByUpdater(updaterOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [app, updater] of updaterOf) out.set(updater, [...(out.get(updater) ?? []), app]);
  return out;
}

export interface StatusOnceDeps {
  controlPlanes: ControlPlanes;
  index: Pick<FleetIndex, 'keys' | 'getMany'>;
  ledger: Pick<CycleLedger, 'results'>;
  audit: Pick<AuditLog, 'query'>;
  log: Logger;
}

/** `--once`: the statuses of every control plane's ImageUpdaters after the one cycle (started at `since`). */
export async function writeStatusesOnce(d: StatusOnceDeps, since: number): Promise<void> {
  for (const cp of d.controlPlanes.all()) {
    try {
      const namespaces = cp.watchNamespaces === '*' ? [''] : cp.watchNamespaces;
      const crs = (await Promise.all(namespaces.map((ns) => cp.imageUpdaters.list(ns)))).flat();
      if (crs.length === 0) continue;
      const updaterOf = new Map<string, string>();
      for (const e of (await d.index.getMany(await d.index.keys(cp.name))).values())
        if ('updater' in e && e.updater) updaterOf.set(e.key, updaterKey(e.updater));
      await new UpdaterStatusWriter({ cp, ledger: d.ledger, audit: d.audit, log: d.log }, since).write(
        crs,
        appsByUpdater(updaterOf),
      );
    } catch (e) {
      d.log.warn(
        { controlPlane: cp.name, code: describeError(e).code },
        `could not write ImageUpdater statuses: ${describeError(e).message}`,
      );
    }
  }
}
