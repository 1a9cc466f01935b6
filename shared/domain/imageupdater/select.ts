/**
 * Which applicationRefs of which ImageUpdaters match an Application (reference §2.2): only CRs in
 * the app's own namespace; inside a CR, refs most specific first (stable); a ref matches when its
 * namePattern (Go filepath.Match, via compileGlob) matches the app name and its labelSelectors match
 * the app labels (absent = all; invalid = none). Across CRs — which the anchor lets fight over an
 * app — candidates are ordered by specificity, then CR name, then CR order, so the choice is stable.
 */
import { compileGlob } from '../policy/glob.ts';
import { compileLabelSelector, type CompiledLabelSelector } from './label-selector.ts';
import type { ImageUpdater } from './parse.ts';
import type { ApplicationRefSpec } from './schema.ts';
import { rankBySpecificity } from './specificity.ts';

/** What selection reads from an Application. */
export interface SelectableApp {
  namespace: string;
  name: string;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface Candidate {
  updater: ImageUpdater;
  ref: ApplicationRefSpec;
  /** Position in spec.applicationRefs. */
  index: number;
  score: number;
}

export interface CompiledSelection {
  /** Every matching ref of every CR, in the order they are tried. */
  candidates(app: SelectableApp): Candidate[];
}

interface CompiledRef extends Candidate {
  name: (s: string) => boolean;
  selector: CompiledLabelSelector;
}

function compileName(pattern: string): (s: string) => boolean {
  try {
    return compileGlob(pattern);
  } catch {
    return () => false; // parseImageUpdater rejects these; a hand-built CR with one matches nothing
  }
}

/** Compile the globs and selectors of a control plane's ImageUpdaters once, for many apps. */
export function compileSelection(updaters: readonly ImageUpdater[]): CompiledSelection {
  const byNamespace = new Map<string, CompiledRef[]>();
  const sorted = [...updaters].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );
  for (const updater of sorted) {
    const refs = rankBySpecificity(updater.spec.applicationRefs).map((r) => ({
      updater,
      ref: r.ref,
      index: r.index,
      score: r.score,
      name: compileName(r.ref.namePattern),
      selector: compileLabelSelector(r.ref.labelSelectors),
    }));
    const list = byNamespace.get(updater.metadata.namespace) ?? [];
    list.push(...refs);
    byNamespace.set(updater.metadata.namespace, list);
  }
  // Stable: within a score, CR name order, then the CR's own order (already in `list`).
  for (const list of byNamespace.values()) list.sort((a, b) => b.score - a.score);
  return {
    candidates: (app) =>
      (byNamespace.get(app.namespace) ?? [])
        .filter((c) => c.name(app.name) && c.selector.matches(app.labels))
        .map(({ updater, ref, index, score }) => ({ updater, ref, index, score })),
  };
}
