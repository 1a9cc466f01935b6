/**
 * Checks on one resolved image that both the CR path and the useAnnotations path apply: the [v1]
 * pull-secret namespace rule, and the effective imagesVerification (which always comes from the CR).
 */
import { parseCredentialSource } from '../registry/credential-source.ts';
import type { MergedVerification } from './merge.ts';

/** The verification settings in effect for an image (absent = the image is not verified). */
export interface ImageVerification {
  enabled: boolean;
  cosignKey?: { secretName: string; key: string };
}

/** [v1] a `secret:`/`pullsecret:` pull secret must live in the Application's namespace; the reason when it does not. */
export function pullSecretNamespaceProblem(pullSecret: string | undefined, namespace: string): string | null {
  if (pullSecret === undefined) return null;
  try {
    const src = parseCredentialSource(pullSecret, false);
    if ((src.type === 'secret' || src.type === 'pullsecret') && src.namespace !== namespace) {
      return `the pull secret must be in the Application's namespace "${namespace}", not "${src.namespace}"`;
    }
  } catch {
    // Unparsable values were already reported by the settings reader (registry credentials are used).
  }
  return null;
}

/** The verification to carry, or the reason the image cannot be used (enabled without a cosign key). */
export function resolveVerification(merged: MergedVerification | null): {
  verification?: ImageVerification;
  error?: { path: string; detail: string };
} {
  if (merged === null) return {};
  if (!merged.enabled) return { verification: { enabled: false } };
  if (!merged.cosignKey)
    return {
      error: {
        path: `${merged.path}.cosignKey`,
        detail: 'is required when image verification is enabled; the image is skipped',
      },
    };
  return { verification: { enabled: true, cosignKey: { ...merged.cosignKey.value } } };
}
