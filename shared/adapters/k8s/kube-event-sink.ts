import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { EventImageChange, EventSink } from '../../ports/event-sink.ts';
import type { AppRef } from '../../jobs/payloads.ts';
import type { Keys } from '../redis/keys.ts';
import { imagesUpdatedEvent, KubeEventRecorder, type KubeEventInput } from './kube-events.ts';

const WARNING_REPEAT_SECONDS = 3600;

/**
 * Events on Applications, best effort. The same warning for the same app is sent at most once an
 * hour (across every process, through Redis), so a broken annotation does not flood the cluster.
 */
export class KubeEventSink implements EventSink {
  private readonly recorder: KubeEventRecorder;

  constructor(
    kc: KubeConfig,
    private readonly redis: Redis,
    private readonly keys: Pick<Keys, 'eventSent'>,
    private readonly log: Logger,
  ) {
    this.recorder = new KubeEventRecorder(kc);
  }

  imagesUpdated(app: AppRef & { uid?: string }, changes: readonly EventImageChange[]): Promise<void> {
    return this.send(imagesUpdatedEvent({ namespace: app.namespace, name: app.name, uid: app.uid }, changes));
  }

  async warning(app: AppRef & { uid?: string }, reason: string, message: string): Promise<void> {
    const id = createHash('sha256')
      .update(`${app.cluster}/${app.namespace}/${app.name}\n${reason}\n${message}`)
      .digest('hex')
      .slice(0, 24);
    const fresh = await this.redis.set(this.keys.eventSent(id), '1', 'EX', WARNING_REPEAT_SECONDS, 'NX');
    if (fresh !== 'OK') return;
    await this.send({
      subject: { namespace: app.namespace, name: app.name, uid: app.uid },
      reason,
      message,
      type: 'Warning',
    });
  }

  private async send(input: KubeEventInput): Promise<void> {
    try {
      await this.recorder.record(input);
    } catch (e) {
      this.log.warn(
        { application: input.subject.name, code: describeError(e).code },
        `could not record a Kubernetes event: ${describeError(e).message}`,
      );
    }
  }
}
