export { parseImageUpdater, type ImageUpdater, type ParsedImageUpdater } from './parse.ts';
export type { UpdaterProblem, UpdaterName } from './problem.ts';
export { API_VERSION, KIND, ALIAS_PATTERN, METHOD_PATTERN } from './schema.ts';
export type {
  ApplicationRefSpec,
  CommonUpdateSettings,
  ImageConfig,
  ImagesVerificationSpec,
  ImageUpdaterSpec,
  LabelSelector,
  ManifestTargets,
  PullRequestSpec,
  WriteBackConfigSpec,
} from './schema.ts';
export { compileLabelSelector, type CompiledLabelSelector } from './label-selector.ts';
export { specificity, rankBySpecificity, type RankedRef } from './specificity.ts';
export { compileSelection, type Candidate, type CompiledSelection, type SelectableApp } from './select.ts';
export { selectApplication, type AppSelection } from './select-application.ts';
export type { ImageVerification } from './image-checks.ts';
export type { PullRequestSettings, WriteBackResult } from './write-back.ts';
export { selectionSignature } from './signature.ts';
export {
  nextStatus,
  reconcilingStatus,
  aggregateUpdates,
  formatTime,
  type CycleOutcome,
  type CycleUpdate,
} from './status.ts';
export type { Condition, ImageUpdaterStatus, RecentUpdate } from './status-schema.ts';
