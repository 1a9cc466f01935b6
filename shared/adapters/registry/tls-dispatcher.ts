/**
 * Per-endpoint TLS settings for Node's global fetch without adding undici as a dependency.
 *
 * Node 20's fetch is undici and honours the `dispatcher` request option, but Node does not
 * export undici's `Agent`. Node's bundled undici installs an `Agent` as the global dispatcher
 * under a well-known symbol the first time fetch is used; we build our Agents with that
 * constructor. If it is not available (a custom global dispatcher, another runtime), we fail
 * with a clear configuration error instead of silently ignoring ca_file/ca_data/insecure.
 */
import { rootCertificates } from 'node:tls';
import { PermanentError } from '../../errors.ts';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export interface TlsSettings {
  /** Skip certificate verification. */
  insecure?: boolean;
  /** Extra PEM certificate(s) trusted in addition to Node's root store. */
  caPem?: string[];
}

type AgentConstructor = new (options: { connect: Record<string, unknown> }) => object;

function agentConstructor(): AgentConstructor {
  let current = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  if (current === undefined) {
    // loads Node's bundled undici synchronously, which installs its global Agent
    void fetch('data:,').catch(() => undefined);
    current = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  }
  const ctor = (current as { constructor?: { name?: string } } | undefined)?.constructor;
  if (typeof ctor !== 'function' || ctor.name !== 'Agent') {
    throw new PermanentError(
      'registry.tls-config',
      "custom TLS settings (insecure, ca_file, ca_data) need the undici Agent bundled with Node's fetch, which is not available in this runtime",
    );
  }
  return ctor as unknown as AgentConstructor;
}

/** An undici dispatcher for these settings, or undefined when the defaults apply. */
export function tlsDispatcher(settings: TlsSettings): object | undefined {
  const extra = settings.caPem ?? [];
  if (!settings.insecure && extra.length === 0) return undefined;
  const Agent = agentConstructor();
  const connect: Record<string, unknown> = settings.insecure
    ? { rejectUnauthorized: false }
    : { ca: [...rootCertificates, ...extra] };
  return new Agent({ connect });
}
