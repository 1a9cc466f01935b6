/** Platform filtering for strategies that read manifests (the anchor's WantsPlatform). */
import type { Platform } from '../model/platform.ts';
import { parseCreated } from './created-time.ts';
import { PolicyError } from '../model/policy-error.ts';

export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64'];

/** `os/arch` or `os/arch/variant`. */
export function platformKey(os: string, arch: string, variant?: string): string {
  return variant ? `${os}/${arch}/${variant}` : `${os}/${arch}`;
}

/** Validate an `os/arch[/variant]` entry; throws PolicyError naming `field`. */
export function parsePlatform(value: string, field = 'platforms'): { os: string; arch: string; variant?: string } {
  const parts = value.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new PolicyError(field, value, 'expected os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm/v7');
  }
  const [os = '', arch = '', variant] = parts;
  return variant ? { os, arch, variant } : { os, arch };
}

/**
 * Whether a manifest platform is wanted: nothing configured → yes; exact key → yes; a candidate with a
 * variant also matches a configured `os/arch` without one. Unparsable configured entries match nothing.
 */
export function wantsPlatform(configured: readonly string[], candidate: Platform): boolean {
  if (configured.length === 0) return true;
  if (configured.includes(platformKey(candidate.os, candidate.architecture, candidate.variant))) return true;
  return !!candidate.variant && configured.includes(platformKey(candidate.os, candidate.architecture));
}

/** A tag qualifies when any of its platforms is wanted; unknown platforms (undefined) are not checked. */
export function tagWantsPlatform(configured: readonly string[], platforms: readonly Platform[] | undefined): boolean {
  return platforms === undefined || platforms.some((p) => wantsPlatform(configured, p));
}

/**
 * The build date newest-build ranks a tag by: when its platforms carry their own dates (the children
 * of an index), the newest date among the WANTED platforms only, as the anchor fetches only those
 * children; otherwise the tag's own date. undefined when no wanted platform has a date.
 */
export function createdForPlatforms(
  configured: readonly string[],
  tag: { created?: string; platforms?: readonly (Platform & { created?: string })[] },
): string | undefined {
  const dated = (tag.platforms ?? []).filter((p) => p.created !== undefined);
  if (dated.length === 0) return tag.created;
  let best: { at: bigint; created: string } | undefined;
  for (const p of dated) {
    if (!wantsPlatform(configured, p)) continue;
    const at = parseCreated(p.created!);
    if (at !== null && (!best || at > best.at)) best = { at, created: p.created! };
  }
  return best?.created;
}
