/** The row types of the argocd-image-updater flag table (anchor-flag-table.ts) and the lines and commands a row names. */

/** `bool` flags accept `--flag`, `--flag=true` and `--flag=false` (as pflag does); `list` flags repeat. */
export type AnchorFlagKind = 'bool' | 'string' | 'int' | 'duration' | 'list';
export type AnchorLine = 'v0' | 'v1';
export type AnchorCommand = 'run' | 'webhook';
export type FlagValue = string | boolean | readonly string[];

/** The value another row was given with (by flag or by its env variable), for rows whose effect depends on it. */
export type GivenValue = (flag: string) => FlagValue | undefined;

export interface RowBase {
  /** Long name without the dashes. */
  readonly flag: string;
  readonly kind: AnchorFlagKind;
  /** Anchor lines whose `run` defines the flag; empty for a tagflow extension the anchor lacks. */
  readonly lines: readonly AnchorLine[];
  readonly commands: readonly AnchorCommand[];
  /** The environment variable the anchor reads for it (the shipped Deployments fill it from the ConfigMap). */
  readonly env?: string;
  /** The anchor's default, as the text a user would type. */
  readonly anchorDefault?: string;
  /** Range the anchor accepts for the env variable (outside it, the anchor warns and uses the default). */
  readonly envRange?: readonly [number, number];
  readonly reason: string;
}

export interface TagflowFlag extends RowBase {
  readonly treatment: 'tagflow';
  /** A value tagflow accepts but cannot honour: the warning that says what tagflow does instead. */
  readonly caveat?: (value: FlagValue, given: GivenValue) => string | undefined;
}

export interface IgnoredFlag extends RowBase {
  readonly treatment: 'ignored';
  /** Values that change nothing (default: the anchor's default). Given with one of these, no warning. */
  readonly harmless?: (value: FlagValue, given: GivenValue) => boolean;
}

export type AnchorFlag = TagflowFlag | IgnoredFlag;

export const RUN = ['run'] as const;
export const BOTH = ['run', 'webhook'] as const;
export const V0 = ['v0'] as const;
export const V1 = ['v1'] as const;
export const ALL = ['v0', 'v1'] as const;
