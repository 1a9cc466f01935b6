/**
 * Which process watches which control plane: each scheduler process tries, every `tickMs`, to take
 * or renew the Redis lease `watch:<control plane>`; the holder runs that control plane's watcher,
 * a process that loses the lease (it could not renew in time) stops its watcher. A dead holder's
 * lease expires after `leaseMs` and the next try of another process takes it over, so a control
 * plane is unwatched for at most one lease period.
 */
import { describeError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { ControlPlane, ControlPlanes } from '../../shared/ports/control-plane.ts';
import type { Leases } from '../../shared/ports/leases.ts';

export interface Watcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly ready: Promise<void>;
}

export interface CoordinatorDeps {
  controlPlanes: ControlPlanes;
  leases: Leases;
  /** This process's identity in the leases. */
  owner: string;
  /** The lease period: how long a dead holder keeps a control plane (default 15 s). */
  leaseMs: number;
  makeWatcher(cp: ControlPlane): Watcher;
  log: Logger;
}

export interface Coordinator {
  /** Resolves when every control plane is watched (by this process or another), or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function coordinateWatchers(deps: CoordinatorDeps): Coordinator {
  const tickMs = Math.max(100, Math.min(1000, Math.floor(deps.leaseMs / 10)));
  // the key lives one tick less than the lease period, so the next try after a death is within it
  const ttl = Math.max(tickMs * 2, deps.leaseMs - tickMs);
  const running = new Map<string, { watcher: Watcher; started: Promise<void>; renewedAt: number }>();
  const watchedElsewhere = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const lease = (cp: string) => `watch:${cp}`;

  async function startWatcher(cp: ControlPlane) {
    const watcher = deps.makeWatcher(cp);
    const entry = { watcher, renewedAt: Date.now(), started: Promise.resolve() };
    running.set(cp.name, entry);
    deps.log.info(
      { controlPlane: cp.name, owner: deps.owner },
      `took the lease of control plane ${cp.name}, watching it`,
    );
    entry.started = (async () => {
      for (let delay = 1000; !stopped && running.get(cp.name) === entry; delay = Math.min(delay * 2, 30_000)) {
        try {
          return await watcher.start();
        } catch (e) {
          const err = describeError(e);
          deps.log.error(
            { controlPlane: cp.name, code: err.code },
            `cannot start watching control plane ${cp.name}: ${err.message}`,
          );
          await watcher.stop().catch(() => undefined);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })();
  }

  async function stopWatcher(name: string, why: string) {
    const entry = running.get(name);
    if (!entry) return;
    running.delete(name);
    deps.log.warn({ controlPlane: name, owner: deps.owner }, `stopped watching control plane ${name}: ${why}`);
    await entry.watcher.stop().catch(() => undefined);
  }

  async function tick() {
    for (const cp of deps.controlPlanes.all()) {
      if (stopped) return;
      try {
        const held = await deps.leases.hold(lease(cp.name), deps.owner, ttl);
        const entry = running.get(cp.name);
        if (held) {
          watchedElsewhere.delete(cp.name);
          if (entry) entry.renewedAt = Date.now();
          else await startWatcher(cp);
        } else {
          watchedElsewhere.add(cp.name);
          if (entry) await stopWatcher(cp.name, 'another process holds its lease');
        }
      } catch (e) {
        // Redis unreachable: keep watching while the lease may still be ours, then give it up
        const entry = running.get(cp.name);
        if (entry && Date.now() - entry.renewedAt > ttl)
          await stopWatcher(cp.name, `could not renew its lease: ${describeError(e).message}`);
      }
    }
  }

  const loop = async () => {
    await tick();
    if (!stopped) timer = setTimeout(() => void loop(), tickMs);
  };
  void loop();

  return {
    async settled(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!stopped && Date.now() < deadline) {
        const mine = [...running.values()];
        const covered = deps.controlPlanes.all().every((cp) => running.has(cp.name) || watchedElsewhere.has(cp.name));
        if (covered) {
          const left = deadline - Date.now();
          await Promise.race([Promise.all(mine.map((m) => m.watcher.ready)), new Promise((r) => setTimeout(r, left))]);
          return;
        }
        await new Promise((r) => setTimeout(r, tickMs));
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const [name] of [...running]) {
        const entry = running.get(name)!;
        running.delete(name);
        await entry.watcher.stop().catch(() => undefined);
        await deps.leases.release(lease(name), deps.owner).catch(() => undefined);
      }
    },
  };
}
