/**
 * Leases coordinate replicas: the holder of a lease does the work it names (e.g. watching one
 * control plane) until it stops renewing; another process takes over once the lease expires.
 */
export interface Leases {
  /** Takes the lease for `owner`, or renews it when `owner` holds it; true while held. */
  hold(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up now (only if `owner` holds it). */
  release(name: string, owner: string): Promise<void>;
  holder(name: string): Promise<string | null>;
}
