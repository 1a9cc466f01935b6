/**
 * Image references as argocd-image-updater understands them (`[alias=]registry/name[:tag][@digest]`),
 * parsed like its NewFromIdentifier: Docker's grammar first, then the lenient legacy parser that lets
 * version constraints (`nginx:~1.26`, `app:>=1.0 <2.0`) through as the "tag".
 */
import { MAX_IMAGE_NAME_LENGTH, MAX_TAG_LENGTH, quoteForMessage, truncateForMessage } from '../input-limits.ts';
import {
  isValidDigest,
  isValidDomain,
  isValidRepositoryPath,
  isValidTag,
  parseDockerReference,
} from './docker-reference.ts';

export interface ImageRef {
  alias: string;
  /** Registry host[:port] as written; '' when none was written (Docker Hub implied). */
  registry: string;
  name: string;
  /** null = no tag part; '' = digest-only reference. */
  tag: string | null;
  digest: string;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['', 'docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Split `alias=ref`. The first '=' separates the alias, except when it belongs to a version
 * constraint operator (`nginx:>=1.0`, `app:!=2`, `app:=1.2`), which the anchor mis-read as an alias.
 */
export function splitAlias(input: string): { alias: string; ref: string; separated: boolean } {
  const eq = input.indexOf('=');
  if (eq === -1) return { alias: '', ref: input, separated: false };
  const before = input.slice(0, eq);
  // `nginx:>=1`, `app:!=2`, `app:=1`, `app:1.0 || =1.2`, `app:>1 <=2`: the '=' belongs to the constraint.
  if (/[<>!:~]$/.test(before) || before.includes('||') || /:\S*\s/.test(before))
    return { alias: '', ref: input, separated: false };
  return { alias: before, ref: input.slice(eq + 1), separated: true };
}

/** The legacy parser: host only when the first component looks like one; the tag is everything after ':'. */
function parseLegacy(ref: string): Omit<ImageRef, 'alias'> {
  const parts = ref.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : '';
  const rest = hasHost ? parts.slice(1).join('/') : ref;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const left = rest.slice(0, at);
    const digest = rest.slice(at + 1);
    const colon = left.lastIndexOf(':');
    if (colon > left.lastIndexOf('/'))
      return { registry, name: left.slice(0, colon), tag: left.slice(colon + 1), digest };
    return { registry, name: left, tag: '', digest };
  }
  const colon = rest.indexOf(':');
  if (colon === -1) return { registry, name: rest, tag: null, digest: '' };
  return { registry, name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest: '' };
}

/** Parse `[alias=]image[:tag-or-constraint][@digest]`. Never throws; see validateImageRef. */
export function parseImageRef(input: string): ImageRef {
  const { alias, ref } = splitAlias(input);
  return { ...parseReference(ref), alias };
}

/** Parse `image[:tag-or-constraint][@digest]` without looking for an alias (alias = ''). */
export function parseReference(ref: string): ImageRef {
  const alias = '';
  const docker = parseDockerReference(ref);
  if (!docker) return { alias, ...parseLegacy(ref) };
  const registry = docker.domain === DOCKER_HUB && !ref.startsWith(DOCKER_HUB) ? '' : docker.domain;
  let name = docker.path;
  if (docker.domain === DOCKER_HUB && !ref.startsWith('library/') && name.startsWith('library/'))
    name = name.slice('library/'.length);
  const digest = docker.digest ?? '';
  const tag = docker.tag ?? (digest ? '' : null);
  return { alias, registry, name, tag, digest };
}

/** `[registry/]name` (the registry is not repeated when the name already starts with it). */
export function fullNameWithoutTag(ref: ImageRef): string {
  if (ref.registry === '' || ref.name.startsWith(`${ref.registry}/`)) return ref.name;
  return `${ref.registry}/${ref.name}`;
}

/** `[registry/]name[:tag][@digest]`. */
export function fullNameWithTag(ref: ImageRef): string {
  let s = fullNameWithoutTag(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** `tag`, `tag@digest`, or `latest@digest` when there is only a digest; '' when neither. */
export function tagWithDigest(ref: Pick<ImageRef, 'tag' | 'digest'>): string {
  if (!ref.digest) return ref.tag ?? '';
  return `${ref.tag || 'latest'}@${ref.digest}`;
}

/** The anchor's String(): `[alias=]fullNameWithTag`. */
export function formatImageRef(ref: ImageRef): string {
  return ref.alias ? `${ref.alias}=${fullNameWithTag(ref)}` : fullNameWithTag(ref);
}

/** Comma-joined formatted references ('' for none). */
export function formatImageList(refs: readonly ImageRef[]): string {
  return refs.map(formatImageRef).join(',');
}

/** A copy of `ref` carrying a new tag and digest. */
export function withTag(ref: ImageRef, tag: string | null, digest = ''): ImageRef {
  return { ...ref, tag, digest };
}

/** The normalised identity: `nginx`, `docker.io/nginx` and `index.docker.io/library/nginx` are all `docker.io/library/nginx`. */
export function canonicalImageName(ref: Pick<ImageRef, 'registry' | 'name'>): string {
  let registry = ref.registry.toLowerCase();
  let name = ref.name;
  if (registry !== '' && name.startsWith(`${ref.registry}/`)) name = name.slice(ref.registry.length + 1);
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB;
    if (!name.includes('/')) name = `library/${name}`;
  }
  return `${registry}/${name}`;
}

/** Same repository after normalisation (tags and digests are not compared). */
export function isSameImage(a: Pick<ImageRef, 'registry' | 'name'>, b: Pick<ImageRef, 'registry' | 'name'>): boolean {
  return canonicalImageName(a) === canonicalImageName(b);
}

/** The anchor's DiffersFrom: registry and name compared verbatim (no Docker Hub normalisation), tags optionally. */
export function differsFrom(a: ImageRef, b: ImageRef, checkVersion: boolean): boolean {
  return a.registry !== b.registry || a.name !== b.name || (checkVersion && (a.tag ?? '') !== (b.tag ?? ''));
}

/** Whether an image name starts with a registry host (the anchor's rule: a first component containing '.'). */
export function hasRegistryPrefix(imageName: string): boolean {
  const parts = imageName.split('/');
  return parts.length > 1 && (parts[0] ?? '').includes('.');
}

/** The name without its registry prefix (`gcr.io/p/img` → `p/img`); unchanged when it has none. */
export function extractShortForm(imageName: string): string {
  if (!hasRegistryPrefix(imageName)) return imageName;
  return imageName.slice(imageName.indexOf('/') + 1);
}

/** A problem with a configured reference (empty, over-long or malformed parts), or null when it is usable. */
export function validateImageRef(ref: ImageRef): string | null {
  if (ref.name === '') return 'the image name is empty';
  const length = fullNameWithoutTag(ref).length;
  if (length > MAX_IMAGE_NAME_LENGTH)
    return `the image name is ${length} characters long; at most ${MAX_IMAGE_NAME_LENGTH} are allowed (registry and path)`;
  if (ref.registry !== '') {
    const bad = registryProblem(ref.registry);
    if (bad) return bad;
  }
  if (!isValidRepositoryPath(ref.name)) {
    return `${quoteForMessage(ref.name)} is not a valid repository name (lowercase letters, digits and . _ - separators, components joined by /)`;
  }
  if (ref.tag !== null && ref.tag.length > MAX_TAG_LENGTH)
    return `the tag is ${ref.tag.length} characters long; at most ${MAX_TAG_LENGTH} are allowed`;
  if (ref.tag !== null && CONTROL.test(ref.tag))
    return `the tag ${quoteForMessage(ref.tag)} contains control characters`;
  if (ref.digest !== '' && !isValidDigest(ref.digest))
    return `${quoteForMessage(ref.digest)} is not a valid digest (expected sha256: and 64 lowercase hex digits)`;
  return null;
}

/** A problem with a tag that must be a real tag (not a version constraint), or null. */
export function tagProblem(tag: string): string | null {
  if (isValidTag(tag)) return null;
  if (tag.length > MAX_TAG_LENGTH)
    return `the tag is ${tag.length} characters long; at most ${MAX_TAG_LENGTH} are allowed`;
  return `${quoteForMessage(tag)} is not a valid tag (a letter, digit or _ first, then letters, digits, _ . -, at most ${MAX_TAG_LENGTH})`;
}

const CONTROL = /[\p{Cc}\p{Cf}]/u;

function registryProblem(registry: string): string | null {
  if (!isValidDomain(registry)) return `${quoteForMessage(registry)} is not a valid registry host`;
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return `port ${truncateForMessage(port, 10)} of registry ${quoteForMessage(registry)} is out of range (1-65535)`;
  return null;
}
