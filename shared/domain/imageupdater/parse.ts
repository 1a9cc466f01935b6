/**
 * parseImageUpdater: a raw ImageUpdater object (from the API or a YAML file) → a typed CR plus
 * problems naming field paths. Never throws. Anything the CRD schema or its CEL rules would reject,
 * an invalid namePattern (the anchor's reconcile fails the whole CR) and the removed `spec.namespace`
 * are errors and leave `updater` null; unknown fields (the API server prunes them), an invalid label
 * selector (it then matches nothing), fields ignored under useAnnotations and an unreadable status
 * are warnings.
 */
import type { z } from 'zod';
import { compileLabelSelector } from './label-selector.ts';
import { formatPath, updaterProblem, type UpdaterProblem } from './problem.ts';
import { ImageUpdaterSchema, type ImageUpdaterSpec } from './schema.ts';
import { StatusSchema, type ImageUpdaterStatus } from './status-schema.ts';

export interface ImageUpdater {
  metadata: { namespace: string; name: string; generation?: number; uid?: string };
  spec: ImageUpdaterSpec;
  status?: ImageUpdaterStatus;
}

export interface ParsedImageUpdater {
  updater: ImageUpdater | null;
  problems: UpdaterProblem[];
}

const REMOVED_NAMESPACE =
  "was removed in v1.2: Applications are selected in the ImageUpdater's own namespace (metadata.namespace); delete this field";

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

const errorMap = (iss: z.core.$ZodRawIssue): string | undefined => {
  if (iss.code === 'invalid_type')
    return iss.input === undefined ? 'is required' : `expected ${iss.expected}, got ${describe(iss.input)}`;
  return undefined;
};

/** The API server drops null values of non-nullable fields before validation; so do we. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}

function deleteAt(root: unknown, path: readonly PropertyKey[], key: string): void {
  let node: unknown = root;
  for (const p of path) node = (node as Record<PropertyKey, unknown> | undefined)?.[p];
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[key];
}

function toProblems(issues: readonly z.core.$ZodIssue[]): {
  problems: UpdaterProblem[];
  unknown: { path: PropertyKey[]; key: string }[];
} {
  const problems: UpdaterProblem[] = [];
  const unknown: { path: PropertyKey[]; key: string }[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      problems.push(updaterProblem('error', formatPath(issue.path), issue.message));
      continue;
    }
    for (const key of issue.keys) {
      const path = formatPath([...issue.path, key]);
      if (path === 'spec.namespace') problems.push(updaterProblem('error', path, REMOVED_NAMESPACE));
      else {
        problems.push(updaterProblem('warning', path, 'unknown field (ignored)'));
        unknown.push({ path: issue.path, key });
      }
    }
  }
  return { problems, unknown };
}

/** Warnings about a valid spec: selectors that match nothing, settings useAnnotations ignores. */
function specWarnings(spec: ImageUpdaterSpec): UpdaterProblem[] {
  const out: UpdaterProblem[] = [];
  spec.applicationRefs.forEach((ref, i) => {
    const at = `spec.applicationRefs[${i}]`;
    const bad = compileLabelSelector(ref.labelSelectors).error;
    if (bad)
      out.push(
        updaterProblem(
          'warning',
          `${at}.labelSelectors.${bad.path}`,
          `${bad.detail}; this applicationRef matches no application`,
        ),
      );
    if (ref.useAnnotations !== true) return;
    for (const field of ['commonUpdateSettings', 'writeBackConfig', 'images'] as const) {
      if (ref[field] !== undefined)
        out.push(
          updaterProblem(
            'warning',
            `${at}.${field}`,
            "ignored: useAnnotations is true, so the Application's annotations are read instead",
          ),
        );
    }
  });
  return out;
}

function readStatus(raw: unknown): { status?: ImageUpdaterStatus; problems: UpdaterProblem[] } {
  if (raw === undefined) return { problems: [] };
  const r = StatusSchema.safeParse(raw, { error: errorMap });
  if (r.success) return { status: r.data, problems: [] };
  const first = r.error.issues[0];
  const where = formatPath(['status', ...(first?.path ?? [])]);
  return {
    problems: [updaterProblem('warning', where, `${first?.message ?? 'invalid'} (the previous status is ignored)`)],
  };
}

export function parseImageUpdater(raw: unknown): ParsedImageUpdater {
  const input = dropNulls(raw);
  let result = ImageUpdaterSchema.safeParse(input, { error: errorMap });
  let problems: UpdaterProblem[] = [];
  if (!result.success) {
    const first = toProblems(result.error.issues);
    problems = first.problems;
    if (problems.some((p) => p.severity === 'error')) return { updater: null, problems };
    // Only unknown fields: drop them as the API server would, and validate what is left.
    for (const u of first.unknown) deleteAt(input, u.path, u.key);
    result = ImageUpdaterSchema.safeParse(input, { error: errorMap });
    if (!result.success) return { updater: null, problems: [...problems, ...toProblems(result.error.issues).problems] };
  }
  const { metadata, spec } = result.data;
  const status = readStatus(result.data.status);
  problems.push(...specWarnings(spec), ...status.problems);
  const updater: ImageUpdater = { metadata, spec, ...(status.status ? { status: status.status } : {}) };
  return { updater, problems };
}
