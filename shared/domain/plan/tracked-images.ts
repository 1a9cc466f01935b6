import { readApplicationImages, type AnnotationProblem, type ImageSpec } from '../annotations/index.ts';
import { findEndpoint, repositoryPath, type RegistryEndpoint } from '../registry/index.ts';
import { STRATEGY_FLAGS } from '../policy/index.ts';

/** An image an app tracks, resolved to the registry repository that is polled for it. */
export interface TrackedImage {
  spec: ImageSpec;
  endpoint: RegistryEndpoint;
  /** Path of the repository inside the registry (default namespace applied). */
  repository: string;
  /** Credential reference for polling: the image's pull-secret, else the registry's. */
  credentials?: string;
  /** Identity of the poll: registry + repository + credential identity. */
  repoKey: string;
}

export function repoKeyOf(endpoint: RegistryEndpoint, repository: string, credentials: string | undefined): string {
  const base = `${endpoint.prefix || new URL(endpoint.apiUrl).host}/${repository}`;
  return credentials && credentials !== endpoint.credentials ? `${base}#${credentials}` : base;
}

/** Reads an app's annotations and resolves each image to its registry repository. */
export function trackedImages(
  annotations: Record<string, string> | undefined,
  endpoints: readonly RegistryEndpoint[],
): { images: TrackedImage[]; problems: AnnotationProblem[] } {
  const { images, problems } = readApplicationImages(annotations);
  const tracked = images.map((spec) => {
    const endpoint = findEndpoint([...endpoints], spec.ref.registry, spec.ref.name);
    const repository = repositoryPath(endpoint, spec.ref.name);
    const credentials = spec.settings.pullSecret ?? endpoint.credentials;
    return { spec, endpoint, repository, credentials, repoKey: repoKeyOf(endpoint, repository, credentials) };
  });
  return { images: tracked, problems };
}

/** Whether any of the images needs manifest metadata (digests, platforms, creation dates). */
export function needsMetadata(images: readonly TrackedImage[]): boolean {
  return images.some((i) => STRATEGY_FLAGS[i.spec.settings.strategy].needsMetadata || i.spec.settings.strategy === 'digest');
}
