/**
 * Git commit messages from a Go template (reference §5.8). Template data, as in the anchor:
 * `.AppName` and `.AppChanges[]{ .Image, .OldTag, .NewTag, .Labels }` (`.Labels` is a map: a
 * missing label is empty with `index`, `<no value>` with `.Labels.x`).
 */
import { compileGoTemplate, TemplateExecError } from './go-template.ts';

/** The anchor's default commit message template. */
export const DEFAULT_COMMIT_TEMPLATE = `build: automatic update of {{ .AppName }}

{{ range .AppChanges -}}
updates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'
{{ end -}}
`;

export interface CommitChange {
  /** Repository path without registry, e.g. `org/app`. */
  image: string;
  /** Digest if the old image had one, else its tag name. */
  oldTag: string;
  /** Digest if the new image has one, else its tag name. */
  newTag: string;
  /** OCI config labels of the new image (empty when unknown). */
  labels?: Record<string, string>;
}

export interface CommitMessageData {
  appName: string;
  changes: readonly CommitChange[];
}

const TEMPLATE_NAME = 'commit-message';

/** Validate a template at startup. Throws PermanentError 'writeback.template' naming the problem. */
export function parseCommitTemplate(template: string): void {
  compileGoTemplate(TEMPLATE_NAME, template);
}

/** The message used when a template fails to execute. */
export function fallbackCommitMessage(appName: string): string {
  return `build: update of application ${appName}`;
}

/**
 * Render a commit message. A template that does not parse throws (PermanentError); one that fails
 * while executing (e.g. an unknown field) yields the anchor's fallback message.
 */
export function renderCommitMessage(template: string, data: CommitMessageData): string {
  const compiled = compileGoTemplate(TEMPLATE_NAME, template);
  const tplData = {
    AppName: data.appName,
    AppChanges: data.changes.map((c) => ({
      Image: c.image,
      OldTag: c.oldTag,
      NewTag: c.newTag,
      Labels: new Map(Object.entries(c.labels ?? {})),
    })),
  };
  try {
    return compiled.execute(tplData);
  } catch (e) {
    if (e instanceof TemplateExecError) return fallbackCommitMessage(data.appName);
    throw e;
  }
}
