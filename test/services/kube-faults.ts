/**
 * Injected failures of the test API server: the next N matching requests (`failNext`), every
 * matching request during a time window (`failFor`), and whole-server outages (the server's
 * `outageStart`, which uses the state kept here).
 */
import { statusBody, type KubeStatus } from './kube-status.ts';

export interface KubeFault {
  /** HTTP method to match ('*' or omitted = any). */
  method?: string;
  /** Tested against the request path (without the query string). */
  pathRegex: RegExp | string;
  /** Status code to answer with; 0 destroys the connection instead (a network error). */
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Retry-After header in seconds (429 gets 1 by default). */
  retryAfter?: number;
}

export interface KubeFaultWindow {
  method?: string;
  pathRegex: RegExp | string;
  /** Status code to answer with; 0 destroys the connection instead. */
  status: number;
  /** Every matching request fails from now until this many milliseconds have passed. */
  durationMs: number;
  retryAfter?: number;
}

/**
 * How the server behaves during an outage:
 * - `status`: every request is answered with `status` (default 500 InternalError), as an apiserver
 *   that lost etcd; open watches end cleanly;
 * - `destroy`: every connection is destroyed, open ones included (a crashed process behind a proxy);
 * - `refuse`: the listening socket is closed, so connections are refused (an apiserver restart).
 */
export type KubeOutageMode = 'status' | 'destroy' | 'refuse';

export interface KubeOutageOptions {
  mode?: KubeOutageMode;
  /** Status code in `status` mode (default 500). */
  status?: number;
}

/** What to answer instead of serving the request. */
export interface InjectedFailure {
  /** 0 = destroy the connection. */
  status: number;
  headers: Record<string, string>;
  body: KubeStatus;
}

interface Rule {
  method?: string;
  pathRegex: RegExp;
  status: number;
  retryAfter?: number;
  left?: number; // failNext
  until?: number; // failFor
}

export class KubeFaults {
  private rules: Rule[] = [];

  failNext(fault: KubeFault): void {
    this.rules.push({ ...fault, pathRegex: new RegExp(fault.pathRegex), left: fault.times ?? 1 });
  }

  /** Starts a failure window at `now`; the returned function ends it early. */
  failFor(window: KubeFaultWindow, now = Date.now()): () => void {
    const rule: Rule = { ...window, pathRegex: new RegExp(window.pathRegex), until: now + window.durationMs };
    this.rules.push(rule);
    return () => void (this.rules = this.rules.filter((r) => r !== rule));
  }

  clear(): void {
    this.rules = [];
  }

  /** The failure for a request received at `at`, consuming one `failNext` use. */
  take(method: string, path: string, at: number): InjectedFailure | undefined {
    this.rules = this.rules.filter((r) => r.until === undefined || r.until > at);
    const rule = this.rules.find(
      (r) => (!r.method || r.method === '*' || r.method.toUpperCase() === method) && r.pathRegex.test(path),
    );
    if (!rule) return undefined;
    if (rule.left !== undefined && --rule.left <= 0) this.rules = this.rules.filter((r) => r !== rule);
    const retryAfter = rule.retryAfter ?? (rule.status === 429 ? 1 : undefined);
    return {
      status: rule.status,
      headers: retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
      body: statusBody(rule.status, `injected failure (${rule.status})`),
    };
  }
}

/** The body an apiserver without its storage answers with (NewInternalError, or a generic 5xx). */
export function outageFailure(status = 500): InjectedFailure {
  const cause = 'etcdserver: request timed out (tagflow test server outage)';
  const body =
    status === 500
      ? statusBody(500, `Internal error occurred: ${cause}`, 'InternalError', { causes: [{ message: cause }] })
      : statusBody(status, 'the server is currently unable to handle the request');
  return { status, headers: status === 503 || status === 429 ? { 'Retry-After': '1' } : {}, body };
}
