/**
 * From what a control plane holds (Applications, ImageUpdaters, registries.conf) to the fleet
 * index's entries: an app selected by an ImageUpdater takes its configuration from it; otherwise
 * an annotated app from its annotations (the v0 API keeps working without any CR).
 */
import {
  annotationConfiguration,
  buildIndexEntry,
  type AppConfiguration,
} from '../../shared/domain/fleet/index-entry.ts';
import {
  compileSelection,
  parseImageUpdater,
  selectApplication,
  selectionSignature,
  type CompiledSelection,
  type ImageUpdater,
} from '../../shared/domain/imageupdater/index.ts';
import type { Application } from '../../shared/domain/model/application.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/endpoint.ts';
import type { IndexUpdate } from '../../shared/ports/fleet-index.ts';
import type { ImageUpdaterObject } from '../../shared/ports/control-plane.ts';

export interface DiscoveryFilters {
  /** `--match-application-name`: the compiled globs (none = every app). */
  nameMatches(name: string): boolean;
}

/** The ImageUpdaters that parsed, their selection, and the problems of those that did not. */
export interface UpdaterSet {
  selection: CompiledSelection | null;
  updaters: ImageUpdater[];
  problems: { updater: string; message: string; severity: 'error' | 'warning' }[];
}

export function updaterSet(objects: Iterable<ImageUpdaterObject>): UpdaterSet {
  const updaters: ImageUpdater[] = [];
  const problems: UpdaterSet['problems'] = [];
  for (const o of objects) {
    const parsed = parseImageUpdater(o);
    const who = `${o.metadata.namespace}/${o.metadata.name}`;
    for (const p of parsed.problems)
      problems.push({ updater: who, message: `ImageUpdater ${who}: ${p.message}`, severity: p.severity });
    if (parsed.updater) updaters.push(parsed.updater);
  }
  return { selection: updaters.length > 0 ? compileSelection(updaters) : null, updaters, problems };
}

/** An app's effective configuration, or null when nothing asks tagflow to track it. */
export function configurationOf(app: Application, updaters: UpdaterSet): AppConfiguration | null {
  const m = app.metadata;
  const selected = updaters.selection
    ? selectApplication(updaters.selection, {
        namespace: m.namespace,
        name: m.name,
        labels: m.labels,
        annotations: m.annotations,
      })
    : null;
  if (selected) {
    return {
      images: selected.images,
      problems: selected.problems,
      writeBack: {
        config: selected.writeBack.config,
        problems: selected.writeBack.problems,
        ...(selected.writeBack.pullRequest ? { pullRequest: selected.writeBack.pullRequest } : {}),
      },
      updater: selected.updater,
      signature: selectionSignature(selected),
    };
  }
  return annotationConfiguration(app);
}

/** Index updates for the given apps of control plane `cp` (untracked apps are left out). */
export function indexUpdates(
  cp: string,
  apps: Iterable<Application>,
  updaters: UpdaterSet,
  endpoints: readonly RegistryEndpoint[],
  filters: DiscoveryFilters,
): IndexUpdate[] {
  const out: IndexUpdate[] = [];
  for (const app of apps) {
    if (!filters.nameMatches(app.metadata.name)) continue;
    const config = configurationOf(app, updaters);
    if (config) out.push(buildIndexEntry(cp, app, config, endpoints));
  }
  return out;
}
