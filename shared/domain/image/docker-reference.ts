/**
 * The Docker/OCI reference grammar (as implemented by distribution/reference's
 * ParseNormalizedNamed), reduced to what image-ref parsing needs. Pure and
 * linear: the domain is split off first, then each part is checked with a
 * small unambiguous pattern.
 */

import { MAX_IMAGE_NAME_LENGTH } from '../input-limits.ts';

export interface DockerReference {
  /** Registry host[:port]; 'docker.io' when none was written. */
  domain: string;
  /** Repository path, with 'library/' added for single-component Docker Hub names. */
  path: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const MAX_NAME_LENGTH = MAX_IMAGE_NAME_LENGTH;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REMAINDER_RE = new RegExp(
  `^(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);
const HEX64_RE = /^[a-f0-9]{64}$/;
/** Digest algorithms distribution accepts, with the length of their lowercase hex encoding. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Whether `digest` is `algo:hex` for a supported algorithm with the right length. */
export function isValidDigest(digest: string): boolean {
  const i = digest.indexOf(':');
  if (i <= 0) return false;
  const length = DIGEST_HEX_LENGTH[digest.slice(0, i)];
  const hex = digest.slice(i + 1);
  return length !== undefined && hex.length === length && /^[a-f0-9]+$/.test(hex);
}

/** Split the registry host off the way Docker does: the first component is a host if it has '.' or ':' or is localhost. */
function splitDomain(ref: string): { domain: string; remainder: string } {
  const slash = ref.indexOf('/');
  let domain = DOCKER_HUB;
  let remainder = ref;
  if (slash !== -1) {
    const first = ref.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost') {
      domain = first;
      remainder = ref.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DOCKER_HUB) domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** Parse a reference with Docker's normalising grammar; null when it is not a valid Docker reference. */
export function parseDockerReference(ref: string): DockerReference | null {
  if (ref === '' || HEX64_RE.test(ref)) return null;
  const { domain, remainder } = splitDomain(ref);
  if (!DOMAIN_RE.test(domain)) return null;
  const m = REMAINDER_RE.exec(remainder);
  if (!m) return null;
  const [, path = '', tag, digest] = m;
  if (domain.length + 1 + path.length > MAX_NAME_LENGTH) return null;
  if (digest !== undefined && !isValidDigest(digest)) return null;
  return { domain, path, tag, digest };
}

/** Whether a host[:port] string is syntactically a registry domain. */
export function isValidDomain(domain: string): boolean {
  return DOMAIN_RE.test(domain);
}

/** Whether a repository path follows the Docker grammar (lowercase components separated by '/'). */
export function isValidRepositoryPath(path: string): boolean {
  return new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`).test(path);
}

/** Whether a string is a valid OCI tag. */
export function isValidTag(tag: string): boolean {
  return /^[\w][\w.-]{0,127}$/.test(tag);
}
