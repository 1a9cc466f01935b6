/**
 * Authentication and authorization of the test API server: bearer tokens naming users (which a
 * test can rotate or revoke: 401) and deny rules (403), answered with the Status bodies
 * kube-apiserver's filters send (responsewriters.Forbidden / NewForbidden).
 */
import type { KubeRequestInfo, KubeVerb } from './kube-request-info.ts';
import { KubeStatusError, qualifiedResource } from './kube-status.ts';

/** Paths anonymous clients may read (system:public-info-viewer). */
const OPEN_PATHS = new Set(['/version', '/healthz', '/readyz', '/livez']);

export const DEFAULT_USER = 'system:serviceaccount:argocd:tagflow';

/** Denies every request matching all the given fields. */
export interface KubeForbidRule {
  /** RBAC verb(s): get, list, watch, create, update, patch, delete, deletecollection. Omitted = any. */
  verb?: KubeVerb | KubeVerb[];
  /** Tested against the request path (without the query string). */
  pathRegex?: RegExp | string;
  /** API group ('' = core). */
  group?: string;
  /** Plural, or `plural/subresource` (`imageupdaters/status`). */
  resource?: string;
  namespace?: string;
  /** Only requests authenticated as this user (see addToken()). */
  user?: string;
}

/**
 * The accepted bearer tokens, each naming a user. The primary token (the one kubeconfig() writes)
 * belongs to the server's user; addToken() adds further identities.
 */
export class KubeAccess {
  private primary: string | null;
  private readonly users = new Map<string, string>();
  private readonly revokedTokens = new Set<string>();
  private revokedAll = false;
  private readonly rules = new Set<KubeForbidRule>();

  constructor(
    token: string | null,
    readonly user: string = DEFAULT_USER,
  ) {
    this.primary = token;
    if (token !== null) this.users.set(token, user);
  }

  /** The primary token (null: authentication disabled). */
  get token(): string | null {
    return this.primary;
  }

  /** Replaces the primary token; the old one gets 401 from now on. Also ends revocations. */
  setToken(token: string | null): void {
    if (this.primary !== null) this.users.delete(this.primary);
    this.primary = token;
    if (token !== null) this.users.set(token, this.user);
    this.restore();
  }

  /** Accepts `token` too, authenticating it as `user`. */
  addToken(token: string, user: string): void {
    this.users.set(token, user);
  }

  /** `token` (default: every token) gets 401 until restore(), as after deleting its Secret. */
  revoke(token?: string): void {
    if (token === undefined) this.revokedAll = true;
    else this.revokedTokens.add(token);
  }

  /** Ends the revocation of `token` (default: every revocation). */
  restore(token?: string): void {
    if (token !== undefined) return void this.revokedTokens.delete(token);
    this.revokedAll = false;
    this.revokedTokens.clear();
  }

  /** Adds a deny rule; the returned function removes it again. */
  forbid(rule: KubeForbidRule): () => void {
    const copy = { ...rule };
    this.rules.add(copy);
    return () => void this.rules.delete(copy);
  }

  allowAll(): void {
    this.rules.clear();
  }

  /** Throws the 401 or 403 the apiserver would answer; returns the user the request runs as. */
  check(authorization: string | undefined, path: string, info: KubeRequestInfo): string {
    const user = this.authenticate(authorization, path);
    for (const rule of this.rules) if (matches(rule, user, path, info)) throw forbidden(user, info, path);
    return user;
  }

  private authenticate(authorization: string | undefined, path: string): string {
    const anonymousOpen = authorization === undefined && OPEN_PATHS.has(path);
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (this.revokedAll && !anonymousOpen) throw unauthorized();
    if (this.primary === null) return bearer === undefined ? this.user : (this.users.get(bearer) ?? this.user);
    const user = bearer === undefined || this.revokedTokens.has(bearer) ? undefined : this.users.get(bearer);
    if (user !== undefined) return user;
    if (anonymousOpen) return 'system:anonymous';
    throw unauthorized();
  }
}

const unauthorized = () => new KubeStatusError(401, 'Unauthorized', 'Unauthorized');

/** responsewriters.Forbidden + errors.NewForbidden. */
function forbidden(user: string, info: KubeRequestInfo, path: string): KubeStatusError {
  if (!info.resourceRequest)
    return new KubeStatusError(403, `forbidden: User "${user}" cannot ${info.verb} path "${path}"`, 'Forbidden', {});
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  const why = `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.group}" ${scope}`;
  const subject = qualifiedResource(info.group, info.resource) + (info.name ? ` "${info.name}"` : '');
  const details: { name?: string; group?: string; kind: string } = { kind: info.resource };
  if (info.name) details.name = info.name;
  if (info.group) details.group = info.group;
  return new KubeStatusError(403, `${subject} is forbidden: ${why}`, 'Forbidden', details);
}

function matches(rule: KubeForbidRule, user: string, path: string, info: KubeRequestInfo): boolean {
  if (rule.user !== undefined && rule.user !== user) return false;
  if (rule.pathRegex !== undefined && !new RegExp(rule.pathRegex).test(path)) return false;
  if (rule.verb !== undefined && !(Array.isArray(rule.verb) ? rule.verb : [rule.verb]).includes(info.verb as KubeVerb))
    return false;
  const needsResource = rule.group !== undefined || rule.resource !== undefined || rule.namespace !== undefined;
  if (needsResource && !info.resourceRequest) return false;
  if (rule.group !== undefined && rule.group !== info.group) return false;
  if (
    rule.resource !== undefined &&
    rule.resource !== (info.subresource ? `${info.resource}/${info.subresource}` : info.resource)
  )
    return false;
  if (rule.namespace !== undefined && rule.namespace !== info.namespace) return false;
  return true;
}
