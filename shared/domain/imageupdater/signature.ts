/**
 * A stable text of an app's effective configuration (which CR and ref, images with their settings,
 * write-back, verification), without problems: equal signatures = nothing changed for the app.
 * Object keys are sorted, so the text does not depend on construction order; hash it if it must be short.
 */
import type { AppSelection } from './select-application.ts';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Object.fromEntries(
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]),
  );
}

export function selectionSignature(selection: AppSelection | null): string {
  if (selection === null) return 'none';
  const { updater, ref, useAnnotations, images, writeBack, imagesVerification } = selection;
  return JSON.stringify(
    canonical({
      updater,
      ref,
      useAnnotations,
      images: images.map(({ alias, ref: image, constraint, settings }) => ({ alias, image, constraint, settings })),
      writeBack: { config: writeBack.config, pullRequest: writeBack.pullRequest },
      imagesVerification,
    }),
  );
}
