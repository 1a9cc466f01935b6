/**
 * Credential sources (the anchor's ParseCredentialSource), used by registries.conf `credentials`,
 * the `pull-secret` annotation and `tagflow test --credentials`:
 *   [<registry>=]pullsecret:<ns>/<name> | secret:<ns>/<name>#<field> | env:<VAR> | ext:</abs/script>
 * plus the pure parts of fetching: turning a fetched value into username/password.
 * Errors are PermanentError 'credentials.invalid' and never contain the secret value.
 */
import { PermanentError } from '../../errors.ts';
import { truncateForMessage } from '../input-limits.ts';
import type { RegistryCredentials } from '../model/credentials.ts';

export type CredentialSourceType = 'pullsecret' | 'secret' | 'env' | 'ext';

export interface CredentialSource {
  /** The registry this source is for, when written as `<registry>=...`. */
  registry?: string;
  type: CredentialSourceType;
  /** pullsecret/secret */
  namespace?: string;
  name?: string;
  /** secret: the field holding `user:pass`; pullsecret: always `.dockerconfigjson`. */
  field?: string;
  /** env: the variable name */
  env?: string;
  /** ext: the script path */
  path?: string;
}

export const PULL_SECRET_FIELD = '.dockerconfigjson';

const invalid = (spec: string, why?: string): never => {
  throw new PermanentError(
    'credentials.invalid',
    `invalid credential spec: ${truncateForMessage(spec)}${why ? ` (${why})` : ''}`,
  );
};

function namespaceAndName(def: string, spec: string, form: string): { namespace: string; name: string } {
  const parts = def.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) invalid(spec, `expected ${form}`);
  return { namespace: parts[0]!, name: parts[1]! };
}

/**
 * Parse a credential source. With `requirePrefix`, the `<registry>=` part is mandatory (as for
 * the `--credentials` of `tagflow test`).
 */
export function parseCredentialSource(spec: string, requirePrefix: boolean): CredentialSource {
  let registry: string | undefined;
  let definition = spec;
  const eq = spec.indexOf('=');
  if (eq > 0 && eq < spec.length - 1) {
    registry = spec.slice(0, eq);
    definition = spec.slice(eq + 1);
  } else if (requirePrefix) {
    invalid(spec, 'expected <registry>=<type>:<source>');
  }
  const tokens = definition.split(':');
  if (tokens.length !== 2 || !tokens[0] || !tokens[1]) return invalid(spec, 'expected <type>:<source>');
  const [kind, source] = tokens as [string, string];
  const base = registry !== undefined ? { registry } : {};
  switch (kind.toLowerCase()) {
    case 'secret': {
      const hash = source.split('#');
      if (hash.length !== 2 || !hash[0] || !hash[1]) invalid(spec, 'expected secret:<namespace>/<name>#<field>');
      return {
        ...base,
        type: 'secret',
        ...namespaceAndName(hash[0]!, spec, 'secret:<namespace>/<name>#<field>'),
        field: hash[1]!,
      };
    }
    case 'pullsecret':
      return {
        ...base,
        type: 'pullsecret',
        ...namespaceAndName(source, spec, 'pullsecret:<namespace>/<name>'),
        field: PULL_SECRET_FIELD,
      };
    case 'env':
      return { ...base, type: 'env', env: source };
    case 'ext':
      return { ...base, type: 'ext', path: source };
    default:
      return invalid(spec, `unknown credential source type "${kind}"; use pullsecret, secret, env or ext`);
  }
}

/** The canonical text of a source (a stable cache key). */
export function formatCredentialSource(src: CredentialSource): string {
  const prefix = src.registry !== undefined ? `${src.registry}=` : '';
  switch (src.type) {
    case 'secret':
      return `${prefix}secret:${src.namespace}/${src.name}#${src.field}`;
    case 'pullsecret':
      return `${prefix}pullsecret:${src.namespace}/${src.name}`;
    case 'env':
      return `${prefix}env:${src.env}`;
    case 'ext':
      return `${prefix}ext:${src.path}`;
  }
}

function splitUserPass(value: string): [string, string] | null {
  const i = value.indexOf(':');
  return i < 0 ? null : [value.slice(0, i), value.slice(i + 1)];
}

/** `env:VAR`: the value must be `user:pass` with both sides non-empty. */
export function credentialsFromEnvValue(variable: string, value: string | undefined): RegistryCredentials {
  if (value === undefined || value === '') {
    throw new PermanentError('credentials.unavailable', `could not fetch credentials: env '${variable}' is not set`);
  }
  const pair = splitUserPass(value);
  if (!pair || !pair[0] || !pair[1]) {
    throw new PermanentError(
      'credentials.invalid',
      `could not fetch credentials: value of ${variable} is malformed (want user:password)`,
    );
  }
  return { username: pair[0], password: pair[1] };
}

/** `secret:ns/name#field`: the field value is `user:pass` (split on the first ':'). */
export function credentialsFromSecretValue(
  src: Pick<CredentialSource, 'namespace' | 'name' | 'field'>,
  value: string,
): RegistryCredentials {
  const pair = splitUserPass(value);
  if (!pair) {
    throw new PermanentError(
      'credentials.invalid',
      `invalid credentials in secret '${src.name}' from namespace '${src.namespace}' (field '${src.field}'): want user:password`,
    );
  }
  return { username: pair[0], password: pair[1] };
}

/** `ext:/script`: its trimmed stdout is `user:pass`. */
export function credentialsFromScriptOutput(path: string, stdout: string): RegistryCredentials {
  const pair = splitUserPass(stdout.trim());
  if (!pair) {
    throw new PermanentError(
      'credentials.invalid',
      `invalid output of ${path}: must be a single line with syntax <username>:<password>`,
    );
  }
  return { username: pair[0], password: pair[1] };
}
