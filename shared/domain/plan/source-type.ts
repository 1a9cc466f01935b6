import type { Application, ApplicationSource } from '../model/application.ts';

export type SupportedSourceType = 'Helm' | 'Kustomize' | 'Plugin';

/**
 * The source tagflow writes to and its type, as argocd-image-updater decides it: the type Argo CD
 * reports in `status.sourceType`, else what the source's own blocks say (so an app not yet
 * reconciled by Argo CD still works), else what the annotations ask for.
 */
export function resolveSource(
  app: Application,
  hint: { helm: boolean; kustomize: boolean },
): { source: ApplicationSource; type: SupportedSourceType } | { error: string } {
  const source =
    app.spec.source ?? app.spec.sources?.find((s) => s.helm || s.kustomize || s.plugin) ?? app.spec.sources?.[0];
  if (!source) return { error: 'application has no source' };
  const reported = app.status?.sourceType ?? app.status?.sourceTypes?.find((t) => isSupported(t));
  if (reported) {
    return isSupported(reported)
      ? { source, type: reported }
      : { error: `unsupported application source type ${reported} (only Helm, Kustomize and Plugin)` };
  }
  if (source.helm || source.chart || hint.helm) return { source, type: 'Helm' };
  if (source.kustomize || hint.kustomize) return { source, type: 'Kustomize' };
  if (source.plugin) return { source, type: 'Plugin' };
  return {
    error:
      'cannot tell the application source type: Argo CD reports none and the source has no helm or kustomize block',
  };
}

function isSupported(t: string | undefined): t is SupportedSourceType {
  return t === 'Helm' || t === 'Kustomize' || t === 'Plugin';
}
