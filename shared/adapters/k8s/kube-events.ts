/**
 * Kubernetes Events (core/v1) in argocd-image-updater's format (anchor §6.7): name
 * `<app>.<hex unix nanos>` in the app's namespace, source component `ArgocdImageUpdater`,
 * reason `ImagesUpdated`, one annotation group per change.
 */
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { classifyKubeError } from './kube-errors.ts';

export const EVENT_COMPONENT = 'ArgocdImageUpdater';

export interface EventSubject {
  apiVersion?: string;
  kind?: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface KubeEventInput {
  subject: EventSubject;
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  annotations?: Record<string, string>;
}

export interface ImageChange {
  /** Image name with registry, without tag (`registry/repo`). */
  fullImageName: string;
  /** Image name as written in the annotation (`repo`). */
  imageName: string;
  oldTag: string;
  newTag: string;
}

/** The event argocd-image-updater sends after a successful write-back. */
export function imagesUpdatedEvent(app: EventSubject, changes: readonly ImageChange[]): KubeEventInput {
  const annotations: Record<string, string> = {};
  changes.forEach((c, i) => {
    annotations[`argocd-image-updater.image-${i}/full-image-name`] = c.fullImageName;
    annotations[`argocd-image-updater.image-${i}/image-name`] = c.imageName;
    annotations[`argocd-image-updater.image-${i}/old-tag`] = c.oldTag;
    annotations[`argocd-image-updater.image-${i}/new-tag`] = c.newTag;
  });
  return {
    subject: app,
    reason: 'ImagesUpdated',
    message: `Successfully updated application '${app.name}'`,
    annotations,
  };
}

function unixNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

export function buildEvent(input: KubeEventInput, now: Date, nanos: bigint): CoreV1Event {
  const s = input.subject;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${s.name}.${nanos.toString(16)}`, namespace: s.namespace, annotations: input.annotations },
    involvedObject: {
      apiVersion: s.apiVersion ?? 'argoproj.io/v1alpha1',
      kind: s.kind ?? 'Application',
      namespace: s.namespace,
      name: s.name,
      uid: s.uid,
      resourceVersion: s.resourceVersion,
    },
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reason: input.reason,
    message: input.message,
    type: input.type ?? 'Normal',
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

/** Creates the Event; returns its name. Failures are classified (callers usually log and go on). */
export async function createEvent(
  api: CoreV1Api,
  input: KubeEventInput,
  clock: { now(): Date; nanos(): bigint } = { now: () => new Date(), nanos: unixNanos },
): Promise<string> {
  const body = buildEvent(input, clock.now(), clock.nanos());
  try {
    await api.createNamespacedEvent({ namespace: input.subject.namespace, body });
    return body.metadata!.name!;
  } catch (e) {
    throw classifyKubeError(e, `create Event for ${input.subject.namespace}/${input.subject.name}`);
  }
}

/** Records Events for one cluster; what workers hold instead of a client-node API object. */
export class KubeEventRecorder {
  private readonly api: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  record(input: KubeEventInput): Promise<string> {
    return createEvent(this.api, input);
  }
}
