export { ANNOTATION_PREFIX, IMAGE_LIST_ANNOTATION, IMAGE_KEYS, APP_WIDE_KEYS, appKey, imageKey } from './keys.ts';
export type { AnnotationProblem } from './problem.ts';
export { parseImageList, type ImageListEntry } from './image-list.ts';
export { readImageSettings, type ImageSettings, type ImageSettingsResult } from './image-settings.ts';
export { readApplicationImages, hasImageList, type ImageSpec } from './read-images.ts';
export {
  readWriteBackConfig,
  WRITE_BACK_METHOD_ANNOTATION,
  GIT_BRANCH_ANNOTATION,
  GIT_REPOSITORY_ANNOTATION,
  WRITE_BACK_TARGET_ANNOTATION,
  type GitCredentialsRef,
  type WriteBackConfig,
} from './write-back.ts';
