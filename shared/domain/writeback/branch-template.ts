/**
 * Write-branch templates (`git-branch: <base>:<template>`, reference §5.6) and the pull-request
 * head branch. Template data: `.Images[]{ .Name, .Alias, .OldTag, .NewTag }`, `.SHA256`,
 * `.AppNamespace`, `.AppName`, `.TargetKey`. Output longer than 255 bytes is truncated.
 */
import { createHash } from 'node:crypto';
import { PermanentError } from '../../errors.ts';
import { compileGoTemplate, TemplateExecError } from './go-template.ts';

export interface BranchChange {
  /** Repository path without registry. */
  image: string;
  alias?: string;
  /** Digest if set, else tag name. */
  oldTag: string;
  newTag: string;
}

export interface BranchTemplateData {
  changes: readonly BranchChange[];
  /** Only filled for the pull-request head branch (empty for the write-branch template, as upstream). */
  appName?: string;
  appNamespace?: string;
  targetKey?: string;
}

/** The anchor's pull-request head branch template. */
export const PR_BRANCH_TEMPLATE = 'image-updater-{{.TargetKey}}-{{.SHA256}}';

export const MAX_BRANCH_BYTES = 255;

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Hex sha256 over `<Name>-<OldTag>-<NewTag>,` for each change, in order. */
export function changesSha256(changes: readonly BranchChange[]): string {
  return sha256Hex(changes.map((c) => `${c.image}-${c.oldTag}-${c.newTag},`).join(''));
}

/** First 8 hex chars of sha256(`<repo>|<branch>|<target or kustomize base>`): groups PRs per write-back target. */
export function writeBackTargetKey(repo: string, branch: string, target: string): string {
  return sha256Hex(`${repo}|${branch}|${target}`).slice(0, 8);
}

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.slice(0, end));
}

/**
 * Render a branch name. A template that does not parse, fails to execute or renders empty throws a
 * PermanentError 'writeback.branch-template' (upstream: "git branch name could not be created from
 * the template").
 */
export function renderBranchName(template: string, data: BranchTemplateData): string {
  const problem = (why: string, cause?: unknown) =>
    new PermanentError(
      'writeback.branch-template',
      `git branch name could not be created from the template ${JSON.stringify(template)}: ${why}`,
      { cause },
    );
  let rendered: string;
  try {
    rendered = compileGoTemplate('branchName', template).execute({
      Images: data.changes.map((c) => ({ Name: c.image, Alias: c.alias ?? '', OldTag: c.oldTag, NewTag: c.newTag })),
      SHA256: changesSha256(data.changes),
      AppNamespace: data.appNamespace ?? '',
      AppName: data.appName ?? '',
      TargetKey: data.targetKey ?? '',
    });
  } catch (e) {
    if (e instanceof TemplateExecError || e instanceof PermanentError) throw problem(e.message, e);
    throw e;
  }
  if (rendered === '') throw problem('it rendered an empty string');
  return truncateUtf8(rendered, MAX_BRANCH_BYTES);
}
