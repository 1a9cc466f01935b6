/** Reading untrusted JSON bodies: every accessor tolerates any shape and returns undefined instead of throwing. */
export type Json = Record<string, unknown>;

/** The body as a JSON object, or an error text. */
export function jsonObject(type: string, body: string): Json | string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    return `${type}: the body is not JSON (${(e as Error).message})`;
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Json)
    : `${type}: the body is not a JSON object`;
}

/** The value at a dotted path, if every step is an object. */
export function at(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Json)[p];
  }
  return v;
}

/** A non-empty string at a path (trimmed), else undefined. */
export function text(o: unknown, path: string): string | undefined {
  const v = at(o, path);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The host of `docker_url`, `resource_url`, `https://host/...`: scheme and path dropped. */
export function hostOf(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const host = ref.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!;
  return host === '' ? undefined : host;
}

/** `Content-Type` contains one of `types`. */
export function contentTypeIs(headers: Readonly<Record<string, string | undefined>>, ...types: string[]): boolean {
  const ct = (headers['content-type'] ?? '').toLowerCase();
  return types.some((t) => ct.includes(t));
}

export const onlyPost = (type: string, method: string): string | undefined =>
  method === 'POST' ? undefined : `${type}: invalid HTTP method ${method} (POST expected)`;
