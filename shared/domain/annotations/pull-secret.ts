/**
 * The syntax of a pull-secret / credentials reference (the anchor's ParseCredentialSource):
 * `[<registry>=]<type>:<source>` with type pullsecret (`ns/name`), secret (`ns/name#field`),
 * env (`VAR`) or ext (`/path/to/script`). Fetching is the registry side's job.
 */

export type PullSecretRef =
  | { type: 'pullsecret'; namespace: string; name: string; registry?: string }
  | { type: 'secret'; namespace: string; name: string; field: string; registry?: string }
  | { type: 'env'; variable: string; registry?: string }
  | { type: 'ext'; path: string; registry?: string };

function nsName(s: string): { namespace: string; name: string } | null {
  const parts = s.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { namespace: parts[0], name: parts[1] };
}

/** Parse a reference; null when it is malformed. */
export function parsePullSecretRef(value: string): PullSecretRef | null {
  let rest = value.trim();
  let registry: string | undefined;
  const eq = rest.indexOf('=');
  if (eq !== -1) {
    registry = rest.slice(0, eq);
    rest = rest.slice(eq + 1);
    if (!registry || !rest) return null;
  }
  const tokens = rest.split(':');
  if (tokens.length !== 2 || !tokens[0] || !tokens[1]) return null;
  const source = tokens[1];
  const withRegistry = registry ? { registry } : {};
  switch (tokens[0].toLowerCase()) {
    case 'pullsecret': {
      const ref = nsName(source);
      return ref && { type: 'pullsecret', ...ref, ...withRegistry };
    }
    case 'secret': {
      const hash = source.split('#');
      const ref = hash.length === 2 && hash[1] ? nsName(hash[0] ?? '') : null;
      return ref && { type: 'secret', ...ref, field: hash[1] ?? '', ...withRegistry };
    }
    case 'env':
      return { type: 'env', variable: source, ...withRegistry };
    case 'ext':
      return { type: 'ext', path: source, ...withRegistry };
    default:
      return null;
  }
}
