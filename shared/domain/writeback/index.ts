/** The pure write-back domain: applying images to Application sources and rendering the files the anchor writes. */
export * from './image-write.ts';
export * from './apply-to-source.ts';
export { argocdSourceFileName, renderArgocdSourceFile, sortHelmParameters } from './argocd-source-file.ts';
export * from './commit-message.ts';
export * from './branch-template.ts';
export { KUSTOMIZATION_FILE_NAMES, updateKustomizationFile } from './kustomization-file.ts';
export * from './kustomize-images.ts';
export { getHelmValue, setHelmValue } from './helm-values.ts';
export {
  applyHelmValueWrites,
  HELM_VALUES_HEADER,
  helmValueWrites,
  patchHelmValuesInPlace,
  readHelmValue,
  renderHelmValuesFile,
  writeHelmValue,
  type HelmValueWrite,
} from './helm-values-file.ts';
export { isSafePlainScalar } from './safe-plain-scalar.ts';
export * from './target.ts';
