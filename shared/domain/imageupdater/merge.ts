/**
 * Settings inheritance (reference §2.3). commonUpdateSettings and imagesVerification merge field by
 * field from the least to the most specific level (a set field wins, slices replace, never merge);
 * writeBackConfig is the global block with the applicationRef's method / repository / branch /
 * writeBackTarget overriding one by one and its pullRequest replacing the global one whole. Every
 * merged value remembers the CR field it came from, so problems can name it.
 */
import type { CommonUpdateSettings, ImagesVerificationSpec, PullRequestSpec, WriteBackConfigSpec } from './schema.ts';

export interface Sourced<T> {
  value: T;
  /** The CR field path the value came from, e.g. `spec.applicationRefs[0].commonUpdateSettings.allowTags`. */
  path: string;
}

/** One inheritance level: the block (if any) and the path of that block. */
export interface Level<T> {
  path: string;
  block: T | undefined;
}

export type MergedSettings = {
  [K in keyof CommonUpdateSettings]-?: Sourced<NonNullable<CommonUpdateSettings[K]>> | undefined;
};

function mergeFields<T extends object>(
  levels: readonly Level<T>[],
  fields: readonly (keyof T & string)[],
): { [K in keyof T]-?: Sourced<NonNullable<T[K]>> | undefined } {
  const out = Object.fromEntries(fields.map((f) => [f, undefined])) as {
    [K in keyof T]-?: Sourced<NonNullable<T[K]>> | undefined;
  };
  for (const { path, block } of levels) {
    if (block === undefined) continue;
    for (const f of fields) {
      const value = block[f];
      if (value !== undefined) out[f] = { value: value as NonNullable<T[typeof f]>, path: `${path}.${f}` };
    }
  }
  return out;
}

const SETTINGS_FIELDS = [
  'updateStrategy',
  'forceUpdate',
  'allowTags',
  'ignoreTags',
  'pullSecret',
  'platforms',
] as const;

export function mergeUpdateSettings(levels: readonly Level<CommonUpdateSettings>[]): MergedSettings {
  return mergeFields(levels, SETTINGS_FIELDS);
}

export interface MergedVerification {
  enabled: boolean;
  cosignKey?: Sourced<{ secretName: string; key: string }>;
  /** The most specific imagesVerification block present. */
  path: string;
}

/** null when no level has an imagesVerification block (no verification); enabled defaults to true. */
export function mergeVerification(levels: readonly Level<ImagesVerificationSpec>[]): MergedVerification | null {
  const present = levels.filter((l) => l.block !== undefined);
  const last = present.at(-1);
  if (!last) return null;
  const m = mergeFields(levels, ['enabled', 'cosignKey']);
  return { enabled: m.enabled?.value ?? true, ...(m.cosignKey ? { cosignKey: m.cosignKey } : {}), path: last.path };
}

export interface MergedWriteBack {
  method?: Sourced<string>;
  repository?: Sourced<string>;
  branch?: Sourced<string>;
  writeBackTarget?: Sourced<string>;
  pullRequest?: Sourced<PullRequestSpec>;
}

export function mergeWriteBack(global: Level<WriteBackConfigSpec>, ref: Level<WriteBackConfigSpec>): MergedWriteBack {
  const out: MergedWriteBack = {};
  for (const { path, block } of [global, ref]) {
    if (block === undefined) continue;
    if (block.method !== undefined) out.method = { value: block.method, path: `${path}.method` };
    const git = block.gitConfig;
    if (git === undefined) continue;
    const at = `${path}.gitConfig`;
    if (git.repository !== undefined) out.repository = { value: git.repository, path: `${at}.repository` };
    if (git.branch !== undefined) out.branch = { value: git.branch, path: `${at}.branch` };
    if (git.writeBackTarget !== undefined)
      out.writeBackTarget = { value: git.writeBackTarget, path: `${at}.writeBackTarget` };
    if (git.pullRequest !== undefined)
      out.pullRequest = { value: structuredClone(git.pullRequest), path: `${at}.pullRequest` };
  }
  return out;
}
