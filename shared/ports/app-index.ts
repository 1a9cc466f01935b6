import type { Application } from './application-store.ts';

/**
 * The scheduler's view of the fleet: the last listed copy of each tracked Application and which
 * repositories it uses. Select workers read apps from here instead of asking the API server again.
 */
export interface AppIndex {
  /** Stores the listed apps and their repositories (a few round trips, however many apps). */
  putMany(entries: readonly { app: string; application: Application; repos: readonly string[] }[]): Promise<void>;
  get(app: string): Promise<Application | null>;
  /** Apps using a repository (for webhooks and snapshot-driven selects). */
  appsForRepo(repoKey: string): Promise<string[]>;
  /** Every app key in the index. */
  keys(): Promise<string[]>;
  /** Forget apps no longer listed. */
  retain(apps: readonly string[]): Promise<number>;
}
