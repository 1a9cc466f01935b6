/**
 * Which Application source tagflow writes to and as which type, as argocd-image-updater decides it
 * (reference §5.1; the anchor's getApplicationSourceType / getApplicationSource / getWriteBackBranch):
 *
 * - type: a `kustomization[:dir]` git target forces Kustomize, a `helmvalues[:file]` one Helm; else a
 *   multi-source app (non-empty `spec.sources`, which wins over `spec.source`) takes the first of
 *   `status.sourceTypes` that is Helm, Kustomize or Plugin (none: Directory, unsupported), a
 *   single-source app `status.sourceType`.
 * - source of a multi-source app: the first source whose helm/kustomize/plugin block matches the
 *   type, else (when `status.sourceTypes` lines up with `spec.sources`) the first source Argo CD
 *   reports with that type, else the first source with any such block, else the first source.
 *
 * Where Argo CD reports no type at all (an app it has not reconciled yet) tagflow goes further than
 * the anchor, which gives up: the chosen source's own block, `chart`, or the image settings decide.
 */
import type { Application, ApplicationSource } from '../model/application.ts';

export type SupportedSourceType = 'Helm' | 'Kustomize' | 'Plugin';

export interface ChosenSource {
  source: ApplicationSource;
  /** Its index in `spec.sources`; undefined for a single-source app (`spec.source`). */
  index?: number;
}

export interface SourceHint {
  /** Images with helm / kustomize settings (only consulted when Argo CD reports no type). */
  helm: boolean;
  kustomize: boolean;
  /** The type a git write-back target forces (see forcedSourceType). */
  forced?: SupportedSourceType;
}

const BLOCK = { Helm: 'helm', Kustomize: 'kustomize', Plugin: 'plugin' } as const;

function isSupported(t: string | undefined): t is SupportedSourceType {
  return t === 'Helm' || t === 'Kustomize' || t === 'Plugin';
}

const hasBlock = (s: ApplicationSource, type: SupportedSourceType) => s[BLOCK[type]] != null;
const hasAnyBlock = (s: ApplicationSource) => s.helm != null || s.kustomize != null || s.plugin != null;

export function isMultiSource(app: Application): boolean {
  return (app.spec.sources?.length ?? 0) > 0;
}

/** The type a git `write-back-target` forces: `kustomization[:dir]` → Kustomize, `helmvalues[:file]` → Helm. */
export function forcedSourceType(target: string | undefined): SupportedSourceType | undefined {
  const t = target?.trim() ?? '';
  if (t === 'kustomization' || t.startsWith('kustomization:')) return 'Kustomize';
  if (t === 'helmvalues' || t.startsWith('helmvalues:')) return 'Helm';
  return undefined;
}

/** The anchor's getApplicationSource for a known type (null: Directory / unsupported). */
export function selectSource(app: Application, type: SupportedSourceType | null): ChosenSource | null {
  const sources = app.spec.sources ?? [];
  if (sources.length === 0) return app.spec.source ? { source: app.spec.source } : null;
  const at = (index: number): ChosenSource | null => (index >= 0 ? { source: sources[index]!, index } : null);
  const reported = app.status?.sourceTypes ?? [];
  return (
    (type && at(sources.findIndex((s) => hasBlock(s, type)))) ||
    (type && reported.length === sources.length && at(reported.indexOf(type))) ||
    at(sources.findIndex(hasAnyBlock)) ||
    at(0)
  );
}

/** The type from the source's own blocks, for an app Argo CD has not reported a type for. */
function typeFromBlocks(source: ApplicationSource, hint: SourceHint): SupportedSourceType | null {
  if (source.helm || source.chart || hint.helm) return 'Helm';
  if (source.kustomize || hint.kustomize) return 'Kustomize';
  if (source.plugin) return 'Plugin';
  return null;
}

/** The anchor's getApplicationSourceType, with the type-less fallback described above. */
export function applicationSourceType(app: Application, hint: SourceHint): SupportedSourceType | { error: string } {
  if (hint.forced) return hint.forced;
  const reported = isMultiSource(app) ? (app.status?.sourceTypes ?? []) : [app.status?.sourceType ?? ''];
  if (reported.some((t) => t !== '')) {
    const type = reported.find(isSupported);
    return (
      type ?? {
        error: `unsupported application source type ${[...new Set(reported.filter(Boolean))].join(', ')} (only Helm, Kustomize and Plugin)`,
      }
    );
  }
  const chosen = selectSource(app, null);
  if (!chosen) return { error: 'application has no source' };
  return (
    typeFromBlocks(chosen.source, hint) ?? {
      error:
        'cannot tell the application source type: Argo CD reports none and the source has no helm or kustomize block',
    }
  );
}

/** The type and the source to write to. */
export function resolveSource(
  app: Application,
  hint: SourceHint,
): (ChosenSource & { type: SupportedSourceType }) | { error: string } {
  const type = applicationSourceType(app, hint);
  if (typeof type === 'object') return type;
  const chosen = selectSource(app, type);
  return chosen ? { ...chosen, type } : { error: 'application has no source' };
}

/**
 * Where a git write-back of `chosen` goes, as the anchor decides it:
 * - repository: `git-repository` if given, else the chosen source's repoURL;
 * - branch (before the git-branch annotation): for a multi-source app, the targetRevision of the FIRST
 *   source whose repoURL equals that repository (so `git-repository` pointing at the values source of a
 *   chart + values app checks out the values source's revision), else the chosen source's;
 * - path (the base of `.argocd-source-<app>.yaml` and of relative kustomization/helmvalues targets):
 *   the source the app's own type (`ownType`) selects, WITHOUT the type a write-back target forces (the anchor
 *   resolves target paths before it knows the target) and NOT the `git-repository` source: the
 *   repository only says where to push, the path stays the chosen source's. Both coincide with the
 *   chosen source unless a target forces a type that another source of the app has.
 */
export function gitLocation(
  app: Application,
  chosen: ChosenSource,
  ownType: SupportedSourceType,
  gitRepository: string | undefined,
): { repoUrl: string; targetRevision: string; path: string } {
  const repoUrl = gitRepository || chosen.source.repoURL;
  const sameRepo = isMultiSource(app) ? app.spec.sources!.find((s) => s.repoURL === repoUrl) : undefined;
  const pathSource = selectSource(app, ownType)?.source ?? chosen.source;
  return {
    repoUrl,
    targetRevision: (sameRepo ?? chosen.source).targetRevision ?? '',
    path: pathSource.path || '.',
  };
}
