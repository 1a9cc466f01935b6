import type { ApplicationSource } from '../model/application.ts';
import type { ApplicationRef as AppRef } from '../model/application.ts';
import type { GitCredentialsRef } from '../annotations/index.ts';
import type { PullRequestSettings } from '../imageupdater/write-back.ts';
import type { ImageWrite } from '../writeback/image-write.ts';
import type { SupportedSourceType } from './source-type.ts';

/** The anchor's `.OldTag`/`.NewTag` in templates: the digest when the reference has one, else the tag name. */
export function tagOrDigest(ref: string): string {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(at + 1) : ref;
}

/** One image whose tag changes, as commit messages, logs and the audit trail report it. */
export interface ImageChange {
  alias: string;
  /** Repository path without registry (the anchor's `.Image` in commit templates). */
  image: string;
  /** Full name with registry, for logs and audit. */
  fullName: string;
  oldTag: string;
  newTag: string;
  labels?: Record<string, string>;
}

/** Where a git write-back goes and with which credentials. */
export interface GitTarget {
  repoUrl: string;
  /** Branch to check out and push (targetRevision, or the git-branch annotation). */
  branch: string;
  /** Branch to push to when it differs from `branch` (git-branch `base:write`). */
  writeBranch?: string;
  /** The source path inside the repository. */
  path: string;
  /** write-back-target annotation, if any. */
  target?: string;
  credentials: GitCredentialsRef;
  /** Propose the change as a pull/merge request into `branch` instead of pushing to it (ImageUpdater pullRequest). */
  pullRequest?: PullRequestSettings;
}

interface PlanBase {
  app: AppRef;
  appUid?: string;
  sourceType: SupportedSourceType;
  source: ApplicationSource;
  /** The index of `source` in `spec.sources` of a multi-source app; undefined for `spec.source`. */
  sourceIndex?: number;
  writes: ImageWrite[];
  changes: ImageChange[];
  createdAt: number;
  /** The ImageUpdater that configured the app, if any (for its status). */
  updater?: { namespace: string; name: string };
}

/**
 * The desired state of one app's write-back: every tracked image with the value to write
 * (changed or current), and the changes among them. Applying it twice gives the same result.
 */
export type WriteBackPlan = (PlanBase & { method: 'argocd' }) | (PlanBase & { method: 'git'; git: GitTarget });
export type GitWriteBackPlan = Extract<WriteBackPlan, { method: 'git' }>;
