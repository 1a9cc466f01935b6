/**
 * deploy/crds/imageupdaters…yaml: its structure, its agreement with the zod schemas (same fields,
 * same patterns), and the example CRs of the unit tests validated against both.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseImageUpdater } from './parse.ts';
import {
  ALIAS_PATTERN,
  ApplicationRefSchema,
  CommonUpdateSettingsSchema,
  ImageConfigSchema,
  ImagesVerificationSchema,
  LabelSelectorSchema,
  ManifestTargetsSchema,
  METHOD_PATTERN,
  PullRequestSchema,
  SpecSchema,
  WriteBackConfigSchema,
} from './schema.ts';
import { EXAMPLES, MINIMAL } from './test-fixtures.ts';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  additionalProperties?: Schema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-validations'?: { rule: string; message: string }[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  [k: string]: unknown;
};

const crd = parse(
  readFileSync(
    new URL('../../../deploy/crds/imageupdaters.argocd-image-updater.argoproj.io.yaml', import.meta.url),
    'utf8',
  ),
);
const version = crd.spec.versions[0];
const root: Schema = version.schema.openAPIV3Schema;
const spec = root.properties!['spec']!;
const ref = spec.properties!['applicationRefs']!.items!;
const image = ref.properties!['images']!.items!;
const at = (s: Schema, ...keys: string[]): Schema => keys.reduce((n, k) => n.properties![k]!, s);

/** A small structural validator: types, required, unknown fields, patterns, lengths, item counts, enums. */
function validate(value: unknown, schema: Schema, path = ''): string[] {
  const fail = (msg: string) => [`${path || '<root>'}: ${msg}`];
  switch (schema.type) {
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('expected object');
      const obj = value as Record<string, unknown>;
      const out = (schema.required ?? []).filter((k) => !(k in obj)).map((k) => `${path}.${k}: required`);
      if (!schema.properties && !schema.additionalProperties) return out; // opaque (metadata, provider blocks)
      for (const [k, v] of Object.entries(obj)) {
        const sub = schema.properties?.[k] ?? schema.additionalProperties;
        if (!sub) out.push(`${path}.${k}: unknown field`);
        else out.push(...validate(v, sub, path ? `${path}.${k}` : k));
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) return fail('expected array');
      if (schema.minItems !== undefined && value.length < schema.minItems)
        return fail(`fewer than ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return fail(`more than ${schema.maxItems} items`);
      return value.flatMap((v, i) => validate(v, schema.items!, `${path}[${i}]`));
    }
    case 'string': {
      if (typeof value !== 'string') return fail('expected string');
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) return fail(`does not match ${schema.pattern}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) return fail('too short');
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return fail('too long');
      if (schema.enum && !schema.enum.includes(value)) return fail('not in enum');
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : fail('expected boolean');
    case 'integer':
      return Number.isInteger(value) ? [] : fail('expected integer');
    default:
      return fail(`schema without type: ${JSON.stringify(schema).slice(0, 60)}`);
  }
}

function walk(schema: Schema, visit: (s: Schema, path: string) => void, path = ''): void {
  visit(schema, path);
  for (const [k, v] of Object.entries(schema.properties ?? {})) walk(v, visit, `${path}.${k}`);
  if (schema.items) walk(schema.items, visit, `${path}[]`);
  if (schema.additionalProperties) walk(schema.additionalProperties, visit, `${path}{}`);
}

describe('CRD manifest', () => {
  it('declares the ImageUpdater kind, namespaced, v1alpha1 served and stored, with a status subresource', () => {
    expect(crd).toMatchObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'imageupdaters.argocd-image-updater.argoproj.io' },
      spec: {
        group: 'argocd-image-updater.argoproj.io',
        scope: 'Namespaced',
        names: {
          kind: 'ImageUpdater',
          listKind: 'ImageUpdaterList',
          plural: 'imageupdaters',
          singular: 'imageupdater',
        },
      },
    });
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
  });

  it('has the Apps / Images / Last Checked / Ready printer columns', () => {
    expect(version.additionalPrinterColumns).toEqual([
      { name: 'Apps', type: 'integer', jsonPath: '.status.applicationsMatched' },
      { name: 'Images', type: 'integer', jsonPath: '.status.imagesManaged' },
      { name: 'Last Checked', type: 'date', jsonPath: '.status.lastCheckedAt' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    ]);
  });

  it('is a structural schema: every node typed, no $ref', () => {
    walk(root, (s, path) => {
      expect(s.type, path).toBeDefined();
      expect('$ref' in s, path).toBe(false);
    });
  });

  it('sets no default for updateStrategy, forceUpdate or method anywhere (inheritance works)', () => {
    const defaults: string[] = [];
    walk(root, (s, path) => {
      if ('default' in s) defaults.push(path);
    });
    expect(defaults).toEqual(['.spec.applicationRefs[].useAnnotations']);
  });

  it('repeats each settings block identically at every level', () => {
    const levels = [
      at(spec, 'commonUpdateSettings'),
      at(ref, 'commonUpdateSettings'),
      at(image, 'commonUpdateSettings'),
    ];
    expect(levels[1]).toEqual(levels[0]);
    expect(levels[2]).toEqual(levels[0]);
    expect(at(ref, 'writeBackConfig')).toEqual(at(spec, 'writeBackConfig'));
    expect(at(ref, 'imagesVerification')).toEqual(at(spec, 'imagesVerification'));
    expect(at(image, 'imagesVerification')).toEqual(at(spec, 'imagesVerification'));
  });

  it.each<[string, Schema, { shape: Record<string, unknown> }]>([
    ['spec', spec, SpecSchema],
    ['commonUpdateSettings', at(spec, 'commonUpdateSettings'), CommonUpdateSettingsSchema],
    ['writeBackConfig', at(spec, 'writeBackConfig'), WriteBackConfigSchema],
    ['gitConfig', at(spec, 'writeBackConfig', 'gitConfig'), WriteBackConfigSchema.shape.gitConfig.unwrap()],
    ['pullRequest', at(spec, 'writeBackConfig', 'gitConfig', 'pullRequest'), PullRequestSchema],
    ['imagesVerification', at(spec, 'imagesVerification'), ImagesVerificationSchema],
    ['applicationRefs[]', ref, ApplicationRefSchema],
    ['labelSelectors', at(ref, 'labelSelectors'), LabelSelectorSchema],
    ['images[]', image, ImageConfigSchema],
    ['manifestTargets', at(image, 'manifestTargets'), ManifestTargetsSchema],
  ])('%s has the same fields as the parser', (_name, node, zod) => {
    expect(Object.keys(node.properties ?? {}).sort()).toEqual(Object.keys(zod.shape).sort());
  });

  it("uses the parser's patterns and limits", () => {
    expect(at(image, 'alias').pattern).toBe(ALIAS_PATTERN);
    expect(at(spec, 'writeBackConfig', 'method').pattern).toBe(METHOD_PATTERN);
    expect(at(spec, 'writeBackConfig', 'gitConfig', 'pullRequest', 'labels')).toMatchObject({
      maxItems: 100,
      items: { minLength: 1, maxLength: 255 },
    });
    expect(at(image, 'manifestTargets', 'plugin', 'spec')).toMatchObject({ minLength: 1, maxLength: 253 });
    expect(spec.properties!['applicationRefs']).toMatchObject({
      minItems: 1,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['namePattern'],
    });
    expect(ref.properties!['images']).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['alias'],
    });
    expect(at(spec, 'commonUpdateSettings', 'ignoreTags')['x-kubernetes-list-type']).toBe('atomic');
    expect([spec.required, ref.required, image.required, at(image, 'manifestTargets', 'kustomize').required]).toEqual([
      ['applicationRefs'],
      ['namePattern'],
      ['alias', 'imageName'],
      ['name'],
    ]);
  });

  it.each<[string, Schema, RegExp]>([
    [
      'exactly one pull request provider',
      at(spec, 'writeBackConfig', 'gitConfig', 'pullRequest'),
      /has\(self\.github\).*has\(self\.gitlab\).*== 1/,
    ],
    [
      'exactly one manifest target',
      at(image, 'manifestTargets'),
      /has\(self\.helm\).*has\(self\.kustomize\).*has\(self\.plugin\).*== 1/,
    ],
    ['images unless useAnnotations', ref, /self\.useAnnotations.*size\(self\.images\) > 0/],
    ['plugin spec or name', at(image, 'manifestTargets', 'plugin'), /has\(self\.spec\) \|\| has\(self\.name\)/],
  ])('expresses "%s" as a CEL rule', (_name, node, rule) => {
    expect(node['x-kubernetes-validations']).toEqual([
      { rule: expect.stringMatching(rule), message: expect.any(String) },
    ]);
  });

  it('describes the status of reference §2.4', () => {
    const status = root.properties!['status']!;
    expect(Object.keys(status.properties!).sort()).toEqual([
      'applicationsMatched',
      'conditions',
      'imagesManaged',
      'lastCheckedAt',
      'lastUpdatedAt',
      'observedGeneration',
      'recentUpdates',
    ]);
    expect(Object.keys(status.properties!['recentUpdates']!.items!.properties!).sort()).toEqual([
      'alias',
      'applicationsUpdated',
      'image',
      'message',
      'newVersion',
      'updatedAt',
    ]);
    expect(status.properties!['conditions']!.items!.required).toEqual([
      'type',
      'status',
      'lastTransitionTime',
      'reason',
      'message',
    ]);
  });
});

describe('example CRs', () => {
  it.each(Object.entries(EXAMPLES))('%s is valid for the CRD and the parser', (_name, raw) => {
    expect(validate(raw, root)).toEqual([]);
    expect(parseImageUpdater(raw).problems).toEqual([]);
  });

  it.each<[string, (o: any) => void]>([
    [
      'bad alias',
      (o) => {
        o.spec.applicationRefs[0].images[0].alias = '.x';
      },
    ],
    [
      'bad method',
      (o) => {
        o.spec.writeBackConfig = { method: 'git:' };
      },
    ],
    [
      'missing namePattern',
      (o) => {
        delete o.spec.applicationRefs[0].namePattern;
      },
    ],
    [
      'missing imageName',
      (o) => {
        delete o.spec.applicationRefs[0].images[0].imageName;
      },
    ],
    [
      'no applicationRefs',
      (o) => {
        o.spec.applicationRefs = [];
      },
    ],
    [
      'wrong type',
      (o) => {
        o.spec.applicationRefs[0].useAnnotations = 'true';
      },
    ],
    [
      'plugin env too long',
      (o) => {
        o.spec.applicationRefs[0].images[0].manifestTargets = { plugin: { name: 'N'.repeat(254) } };
      },
    ],
    [
      'unknown field',
      (o) => {
        o.spec.applicationRefs[0].images[0].tag = 'x';
      },
    ],
  ])('CRD and parser both reject: %s', (_name, patch) => {
    const raw = structuredClone(MINIMAL) as any;
    patch(raw);
    expect(validate(raw, root)).not.toEqual([]);
    expect(parseImageUpdater(raw).problems).not.toEqual([]);
  });
});
