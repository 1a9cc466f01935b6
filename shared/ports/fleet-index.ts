import type { IndexEntry, PollTarget } from '../domain/fleet/index-entry.ts';

/** One app as a control plane watcher hands it to the index. */
export interface IndexUpdate {
  entry: IndexEntry;
  targets: readonly PollTarget[];
}

/** Discovery status of a control plane: `ok: false` while it cannot be listed or watched. */
/** An entry that could not be read back (corrupt or foreign state): its app's check fails. */
export interface CorruptEntry {
  key: string;
  corrupt: string;
}

export interface ControlPlaneStatus {
  ok: boolean;
  code?: string;
  message?: string;
  since: number;
}

/**
 * The fleet as the control plane watchers keep it: every tracked app (its index entry), the
 * repositories they use (repository → apps, app → repositories) and how each repository is polled.
 * Cycles and checks read it instead of asking the Kubernetes API.
 */
export interface FleetIndex {
  /**
   * Stores the given apps of control plane `cp`; apps whose entry changed (or that are new) are
   * marked dirty, so the next cycle checks them. With `full`, every app of `cp` neither given nor in
   * `keep` is removed (a complete list, possibly stored in slices before); `removed` names apps
   * deleted meanwhile.
   */
  sync(
    cp: string,
    updates: readonly IndexUpdate[],
    o: { full: boolean; removed?: readonly string[]; keep?: readonly string[] },
  ): Promise<{ changed: string[]; removed: string[] }>;
  getMany(keys: readonly string[]): Promise<Map<string, IndexEntry | CorruptEntry>>;
  targets(repoKeys: readonly string[]): Promise<Map<string, PollTarget>>;
  /** Every tracked repository (the keys of its poll targets). */
  repoKeys(): Promise<string[]>;
  appsForRepo(repoKey: string): Promise<string[]>;
  /** Every app key (of one control plane, when given). */
  keys(cp?: string): Promise<string[]>;
  count(): Promise<number>;
  /** Marks apps to be checked by the next cycle. */
  markDirty(keys: readonly string[]): Promise<void>;
  setStatus(cp: string, status: ControlPlaneStatus): Promise<void>;
  statuses(): Promise<Map<string, ControlPlaneStatus>>;
}
