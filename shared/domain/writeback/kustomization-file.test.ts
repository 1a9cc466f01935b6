import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import { updateKustomizationFile } from './kustomization-file.ts';
import { parseKustomizeImageOverride } from './kustomize-images.ts';
import { comparable } from './test-support.ts';

describe('kustomization-file vectors', () => {
  it.each(
    vectors<{
      appKustomizeImages: string[];
      input: string;
      expected: { skip: boolean; content: string };
      compare: string;
    }>('kustomization-file'),
  )('$id $name', (v) => {
    const out = updateKustomizationFile(v.input, v.appKustomizeImages);
    expect(out.skip).toBe(v.expected.skip);
    const c = comparable(out.content, v.expected.content, v.compare);
    expect(c.actual).toEqual(c.expected);
  });
});

describe('kustomize-image-filter vectors', () => {
  it.each(
    vectors<{ startingDocument: string; appKustomizeImages: string[]; expectedYaml: string; compare: string }>(
      'kustomize-image-filter',
    ),
  )('$id $name', (v) => {
    const out = updateKustomizationFile(v.startingDocument, v.appKustomizeImages);
    const c = comparable(out.content, v.expectedYaml, v.compare);
    expect(c.actual).toEqual(c.expected);
  });
});

describe('kustomize-image-override vectors', () => {
  it.each(
    vectors<{ input: string; expected: Partial<Record<'name' | 'newName' | 'newTag' | 'digest', string>> }>(
      'kustomize-image-override',
    ),
  )('$id $name', (v) => {
    expect(parseKustomizeImageOverride(v.input)).toEqual({
      name: '',
      newName: '',
      newTag: '',
      digest: '',
      ...v.expected,
    });
  });
});

describe('updateKustomizationFile', () => {
  const D = 'sha256:' + 'a'.repeat(64);

  it('appends new elements in kustomize field order, updates existing ones in place', () => {
    const input = 'resources:\n- deploy.yaml\n# pinned images\nimages:\n- name: redis\n  newTag: "6" # old\n';
    const out = updateKustomizationFile(input, ['redis:7.0', `web=ghcr.io/org/web:1.2@${D}`]);
    expect(out).toEqual({
      skip: false,
      content: `resources:\n- deploy.yaml\n# pinned images\nimages:\n- name: redis\n  newTag: "7.0" # old\n- name: web\n  newName: ghcr.io/org/web\n  newTag: "1.2"\n  digest: ${D}\n`,
    });
  });

  it('replaces the element: a digest update drops newTag', () => {
    const out = updateKustomizationFile('images:\n- name: app\n  newTag: v1\n', [`app@${D}`]);
    expect(out.content).toBe(`images:\n- name: app\n  digest: ${D}\n`);
  });

  it('skips when nothing changes and returns the input untouched', () => {
    const input = 'images:\n  - name: app   # keep\n    newTag: v2\n';
    expect(updateKustomizationFile(input, ['app:v2'])).toEqual({ skip: true, content: input });
  });

  it('creates images: in an empty or comment-only file', () => {
    expect(updateKustomizationFile('', ['nginx:1']).content).toBe('images:\n- name: nginx\n  newTag: "1"\n');
    expect(updateKustomizationFile('# only a comment\n', ['nginx:1']).content).toBe(
      '# only a comment\n\nimages:\n- name: nginx\n  newTag: "1"\n',
    );
  });

  it.each([
    ['multi-document file', 'a: 1\n---\nb: 2\n', /several YAML documents/],
    ['non-mapping root', '- a\n', /not a YAML mapping/],
    ['images not a list', 'images: nope\n', /not a list/],
    ['invalid YAML', 'images: [a\n', /cannot parse the kustomization file/],
  ])('rejects a %s', (_name, input, message) => {
    expect(() => updateKustomizationFile(input, ['x:1'])).toThrow(PermanentError);
    expect(() => updateKustomizationFile(input, ['x:1'])).toThrow(message);
  });
});
