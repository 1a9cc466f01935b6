/**
 * Follows one control plane: list + watch of its Applications (in each watched namespace, or all)
 * and of its ImageUpdaters, kept in memory, turned into index entries and stored in the fleet index.
 * The first complete picture replaces whatever the index held for the control plane (apps deleted
 * while nobody watched disappear); afterwards each change is stored within `debounceMs` and starts
 * a change cycle, so an edited annotation is acted on in seconds, not at the next interval. The
 * control plane's registries.conf is followed as well: when it changes, every entry is rebuilt with
 * the new endpoints.
 * Run only by the holder of the control plane's lease.
 */
import { slimApplication } from '../../shared/domain/fleet/index-entry.ts';
import type { Application } from '../../shared/domain/model/application.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/endpoint.ts';
import { describeError, type TagflowError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { ControlPlane, Feed, ImageUpdaterObject } from '../../shared/ports/control-plane.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { AuditLog } from '../../shared/ports/audit-log.ts';
import type { CycleLedger } from '../../shared/ports/cycle-ledger.ts';
import { appsByUpdater, updaterKey, UpdaterStatusWriter } from './updater-status.ts';
import { indexUpdates, updaterSet, type DiscoveryFilters, type UpdaterSet } from './discovery.ts';

export interface WatcherDeps {
  index: FleetIndex;
  /** For the ImageUpdaters' status after each cycle over every app. */
  ledger: Pick<CycleLedger, 'onFinished' | 'results'>;
  audit: Pick<AuditLog, 'query'>;
  /** Asks for a change cycle (deduplicated: bursts of changes make one cycle). */
  requestChangeCycle(): Promise<void>;
  log: Logger;
  filters: DiscoveryFilters;
  labelSelector?: string;
  debounceMs?: number;
}

const keyOf = (ns: string, name: string) => `${ns}/${name}`;
const FLUSH_SLICE = 1000;

export class ControlPlaneWatcher {
  private readonly apps = new Map<string, Application>();
  private crs = new Map<string, ImageUpdaterObject>();
  private updaters: UpdaterSet = { selection: null, updaters: [], problems: [] };
  private endpoints: readonly RegistryEndpoint[] = [];
  private readonly feeds: Feed[] = [];
  private confFeed?: Feed;
  private confFailing?: string;
  private readonly synced = new Set<Feed>();
  private complete = false;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private reportedProblems = new Set<string>();
  /** app key → the ImageUpdater (`namespace/name`) that selects it. */
  private readonly updaterOf = new Map<string, string>();
  private statusWriter?: UpdaterStatusWriter;
  private subscription?: { close(): void };
  private statusRun: Promise<void> = Promise.resolve();
  private resolveReady: () => void = () => {};
  /** Resolves once the first complete picture is in the index. */
  readonly ready = new Promise<void>((r) => (this.resolveReady = r));

  constructor(
    private readonly cp: ControlPlane,
    private readonly deps: WatcherDeps,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.endpoints = await this.cp.endpoints();
    // registries.conf is followed too: an edit rebuilds every entry of the control plane (new endpoints,
    // limits, credentials), so the next poll uses it; a refused edit keeps the last good one (reported there)
    this.confFeed = this.cp.watchEndpoints({
      changed: (endpoints) => this.endpointsChanged(endpoints),
      // not an outage of the control plane's apps (e.g. no RBAC to watch ConfigMaps): reported on its own
      error: (e) => {
        if (this.confFailing === e.code) return;
        this.confFailing = e.code;
        this.deps.log.error(
          { controlPlane: this.cp.name, code: e.code },
          `cannot follow registries.conf: ${e.message}; the configuration in force stays until it can`,
        );
      },
      recovered: () => {
        if (this.confFailing === undefined) return;
        this.confFailing = undefined;
        this.deps.log.info({ controlPlane: this.cp.name }, 'following registries.conf again');
      },
    });
    this.confFeed.start();
    const namespaces = this.cp.watchNamespaces === '*' ? [''] : this.cp.watchNamespaces;
    for (const ns of namespaces) {
      const appFeed: Feed = this.cp.watchApplications(ns, this.deps.labelSelector, {
        synced: (items) => this.appsSynced(appFeed, ns, items),
        changed: (type, _key, app) => this.appChanged(type, app),
        error: (e) => this.failed(e),
        recovered: () => this.recovered(),
      });
      const crFeed: Feed = this.cp.watchImageUpdaters(ns, {
        synced: (items) => this.updatersSynced(crFeed, ns, items),
        changed: (type, key, cr) => this.updaterChanged(type, key, cr),
        error: (e) => (e.code === 'k8s.not-found' ? this.synced.add(crFeed) && this.maybeComplete() : this.failed(e)),
        recovered: () => this.recovered(),
      });
      this.feeds.push(appFeed, crFeed);
    }
    for (const f of this.feeds) f.start();
    this.statusWriter = new UpdaterStatusWriter({
      cp: this.cp,
      ledger: this.deps.ledger,
      audit: this.deps.audit,
      log: this.deps.log,
    });
    this.subscription = await this.deps.ledger.onFinished((summary) => {
      if (summary.scope === 'all') this.statusRun = this.statusRun.then(() => this.writeStatuses());
    });
  }

  private async writeStatuses(): Promise<void> {
    if (this.stopped || !this.statusWriter) return;
    try {
      await this.statusWriter.write(this.crs.values(), appsByUpdater(this.updaterOf));
    } catch (e) {
      this.deps.log.warn(
        { controlPlane: this.cp.name, code: describeError(e).code },
        `could not write ImageUpdater statuses: ${describeError(e).message}`,
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.close();
    this.subscription = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.feeds.splice(0), ...(this.confFeed ? [this.confFeed] : [])].map((f) => f.stop()));
    this.confFeed = undefined;
    await this.flushing;
    await this.statusRun;
  }

  private appsSynced(feed: Feed, ns: string, items: Map<string, Application>) {
    const inNamespace = (a: Application) => ns === '' || a.metadata.namespace === ns;
    for (const [k, a] of [...this.apps])
      if (inNamespace(a) && !items.has(k)) (this.apps.delete(k), this.pending.add(k));
    for (const [k, a] of items) (this.apps.set(k, slimApplication(a)), this.pending.add(k));
    this.synced.add(feed);
    this.maybeComplete();
    this.schedule();
  }

  private appChanged(type: string, app: Application) {
    const k = keyOf(app.metadata.namespace, app.metadata.name);
    if (type === 'DELETED') this.apps.delete(k);
    else this.apps.set(k, slimApplication(app));
    this.pending.add(k);
    this.schedule();
  }

  private updatersSynced(feed: Feed, ns: string, items: Map<string, ImageUpdaterObject>) {
    const next = new Map([...this.crs].filter(([, o]) => ns !== '' && o.metadata.namespace !== ns));
    for (const [k, o] of items) next.set(k, o);
    this.setUpdaters(next);
    this.synced.add(feed);
    this.maybeComplete();
  }

  private updaterChanged(type: string, key: string, cr: ImageUpdaterObject) {
    const next = new Map(this.crs);
    if (type === 'DELETED') next.delete(key);
    else next.set(key, cr);
    this.setUpdaters(next);
  }

  /** ImageUpdaters changed: every app of their namespaces may be configured differently now. */
  private setUpdaters(next: Map<string, ImageUpdaterObject>) {
    const namespaces = new Set([...this.crs.values(), ...next.values()].map((o) => o.metadata.namespace));
    this.crs = next;
    this.updaters = updaterSet(next.values());
    for (const p of this.updaters.problems) {
      const id = `${p.updater}\n${p.message}`;
      if (this.reportedProblems.has(id)) continue;
      this.reportedProblems.add(id);
      this.deps.log[p.severity === 'error' ? 'error' : 'warn'](
        { controlPlane: this.cp.name, imageUpdater: p.updater },
        p.message,
      );
    }
    for (const [k, a] of this.apps) if (namespaces.has(a.metadata.namespace)) this.pending.add(k);
    this.schedule();
  }

  /** registries.conf changed: every app's images may resolve to other endpoints now. */
  private endpointsChanged(endpoints: readonly RegistryEndpoint[]) {
    this.endpoints = endpoints;
    for (const k of this.apps.keys()) this.pending.add(k);
    this.deps.log.info(
      { controlPlane: this.cp.name, applications: this.apps.size },
      `registries.conf of control plane ${this.cp.name} changed: rebuilding the index entries of ${this.apps.size} application(s)`,
    );
    this.schedule();
  }

  private maybeComplete() {
    if (this.complete || this.synced.size < this.feeds.length) return;
    this.complete = true;
    this.schedule(0);
  }

  private schedule(ms = this.deps.debounceMs ?? 100) {
    if (!this.complete || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush()).catch((e: unknown) => this.flushFailed(e));
    }, ms);
  }

  private firstFlush = true;

  private async flush(): Promise<void> {
    if (this.stopped) return;
    const full = this.firstFlush;
    const keys = full ? [...this.apps.keys()] : [...this.pending];
    this.pending = new Set();
    const result = { changed: [] as string[], removed: [] as string[] };
    const indexed: string[] = [];
    // in slices, so a control plane of thousands of apps never has all its entries in memory at once
    for (let i = 0; i < keys.length; i += FLUSH_SLICE) {
      const slice = keys.slice(i, i + FLUSH_SLICE);
      const present = slice.map((k) => this.apps.get(k)).filter((a): a is Application => a !== undefined);
      const updates = indexUpdates(this.cp.name, present, this.updaters, this.endpoints, this.deps.filters);
      const tracked = new Set(updates.map((u) => u.entry.key));
      const removed = slice.map((k) => `${this.cp.name}/${k}`).filter((k) => !tracked.has(k));
      const out = await this.deps.index.sync(this.cp.name, updates, { full: false, removed });
      result.changed.push(...out.changed);
      result.removed.push(...out.removed);
      indexed.push(...tracked);
      for (const k of removed) this.updaterOf.delete(k);
      for (const u of updates) {
        if (u.entry.updater) this.updaterOf.set(u.entry.key, updaterKey(u.entry.updater));
        else this.updaterOf.delete(u.entry.key);
      }
    }
    // the first complete picture: whatever else the index holds for this control plane is gone
    if (full)
      result.removed.push(...(await this.deps.index.sync(this.cp.name, [], { full: true, keep: indexed })).removed);
    const updates = indexed;
    if (full) {
      this.firstFlush = false;
      this.deps.log.info(
        { controlPlane: this.cp.name, applications: updates.length, removed: result.removed.length },
        `watching ${updates.length} application(s) of control plane ${this.cp.name}`,
      );
      this.resolveReady();
    } else if (result.changed.length + result.removed.length > 0) {
      this.deps.log.debug(
        { controlPlane: this.cp.name, changed: result.changed.length, removed: result.removed.length },
        'applications changed',
      );
    }
    if (result.changed.length > 0) await this.deps.requestChangeCycle();
  }

  private flushFailed(e: unknown) {
    const err = describeError(e);
    this.deps.log.error(
      { controlPlane: this.cp.name, code: err.code },
      `could not update the fleet index: ${err.message}`,
    );
    // everything is still in memory: try again
    for (const k of this.apps.keys()) this.pending.add(k);
    this.schedule(1000);
  }

  /** The error the control plane is failing with (one report per outage, not one per feed or retry). */
  private failing?: string;

  private failed(e: TagflowError) {
    if (e.code === 'k8s.invalid-application') {
      this.deps.log.warn({ controlPlane: this.cp.name, code: e.code }, `skipped an invalid Application: ${e.message}`);
      return;
    }
    if (this.failing === e.code) return;
    this.failing = e.code;
    this.deps.log.error({ controlPlane: this.cp.name, code: e.code }, `cannot watch: ${e.message}`);
    void this.deps.index
      .setStatus(this.cp.name, { ok: false, code: e.code, message: e.message, since: Date.now() })
      .catch(() => undefined);
  }

  private recovered() {
    if (this.failing === undefined) return;
    this.failing = undefined;
    this.deps.log.info({ controlPlane: this.cp.name }, `control plane ${this.cp.name} is reachable again`);
    void this.deps.index.setStatus(this.cp.name, { ok: true, since: Date.now() }).catch(() => undefined);
  }
}

export { keyOf as watcherKey };
