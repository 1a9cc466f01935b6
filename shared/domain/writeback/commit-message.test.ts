import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import {
  DEFAULT_COMMIT_TEMPLATE,
  parseCommitTemplate,
  renderCommitMessage,
  type CommitChange,
} from './commit-message.ts';

interface CommitVector {
  template: string;
  appName: string;
  changes: CommitChange[];
  expected: string;
}

describe('commit-message vectors', () => {
  it.each(vectors<CommitVector>('commit-message'))('$id', (v) => {
    expect(renderCommitMessage(v.template, { appName: v.appName, changes: v.changes })).toBe(v.expected);
  });
});

describe('renderCommitMessage', () => {
  it('the default template is the anchor one', () => {
    expect(DEFAULT_COMMIT_TEMPLATE).toBe(
      "build: automatic update of {{ .AppName }}\n\n{{ range .AppChanges -}}\nupdates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'\n{{ end -}}\n",
    );
  });

  it('renders labels when present', () => {
    const tpl =
      '{{ range .AppChanges }}{{ .Image }}{{ if index .Labels "org.opencontainers.image.revision" }} rev={{ index .Labels "org.opencontainers.image.revision" }}{{ end }}\n{{ end }}';
    const msg = renderCommitMessage(tpl, {
      appName: 'a',
      changes: [
        { image: 'org/x', oldTag: '1', newTag: '2', labels: { 'org.opencontainers.image.revision': 'abc123' } },
        { image: 'org/y', oldTag: '1', newTag: '2' },
      ],
    });
    expect(msg).toBe('org/x rev=abc123\norg/y\n');
  });

  it('renders digests the caller passes as tags', () => {
    const msg = renderCommitMessage(DEFAULT_COMMIT_TEMPLATE, {
      appName: 'example-app',
      changes: [{ image: 'example/example', oldTag: 'sha256:aa', newTag: 'sha256:bb' }],
    });
    expect(msg).toBe(
      "build: automatic update of example-app\n\nupdates image example/example tag 'sha256:aa' to 'sha256:bb'\n",
    );
  });

  it('falls back to the anchor message on an execution error', () => {
    expect(renderCommitMessage('{{ .NoSuchField }}', { appName: 'demo', changes: [] })).toBe(
      'build: update of application demo',
    );
  });

  it('throws a PermanentError naming the problem on a parse error', () => {
    expect(() => renderCommitMessage('{{ range .AppChanges }}', { appName: 'demo', changes: [] })).toThrow(
      PermanentError,
    );
    expect(() => parseCommitTemplate('{{ .AppName ')).toThrow(/commit-message:1: unclosed action/);
    expect(() => parseCommitTemplate(DEFAULT_COMMIT_TEMPLATE)).not.toThrow();
  });
});
