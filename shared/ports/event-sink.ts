import type { ApplicationRef as AppRef } from '../domain/model/application.ts';

/** An image change as the anchor's ImagesUpdated event annotates it. */
export interface EventImageChange {
  fullImageName: string;
  imageName: string;
  oldTag: string;
  newTag: string;
}

/**
 * Kubernetes Events on the Application: `ImagesUpdated` after a write-back (argocd-image-updater's
 * format) and warnings for bad configuration. Best effort: a failure to record never fails a job.
 */
export interface EventSink {
  imagesUpdated(app: AppRef & { uid?: string }, changes: readonly EventImageChange[]): Promise<void>;
  warning(app: AppRef & { uid?: string }, reason: string, message: string): Promise<void>;
}
