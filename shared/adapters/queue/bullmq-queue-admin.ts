import type { Job, Queue } from 'bullmq';
import type { QueueName } from '../../jobs/queues.ts';
import type { FailedJob, JobStateName, QueueAdmin } from '../../ports/queue-admin.ts';
import { FailedJobs, QueueAdminError } from './failed-jobs.ts';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** QueueAdmin over the BullMQ queues of a sink (the producer's Queue objects). */
export class BullmqQueueAdmin implements QueueAdmin {
  private readonly jobs: FailedJobs;

  constructor(private readonly queues: Record<QueueName, Queue>) {
    this.jobs = new FailedJobs(queues);
  }

  async counts(): Promise<Record<string, Record<string, number>>> {
    const entries = await Promise.all(
      Object.entries(this.queues).map(async ([name, q]) => [name, await q.getJobCounts(...STATES)] as const),
    );
    return Object.fromEntries(entries);
  }

  async failed(queue: string, o: { offset: number; limit: number }): Promise<FailedJob[]> {
    if (o.limit <= 0) return [];
    const jobs = await this.queue(queue).getFailed(o.offset, o.offset + o.limit - 1);
    return jobs.filter((j): j is Job => Boolean(j)).map((j) => failedJob(queue, j));
  }

  async state(queue: string, id: string): Promise<JobStateName | null> {
    const job = await this.queue(queue).getJob(id);
    if (!job) return null;
    const s = await job.getState();
    return (STATES as readonly string[]).includes(s) ? (s as JobStateName) : 'unknown';
  }

  retry(queue: string, id: string): Promise<boolean> {
    return found(this.jobs.retry(queue, id));
  }

  remove(queue: string, id: string): Promise<boolean> {
    return found(this.jobs.remove(queue, id));
  }

  private queue(name: string): Queue {
    const q = (this.queues as Record<string, Queue | undefined>)[name];
    if (!q) throw new Error(`unknown queue "${name}" (known: ${Object.keys(this.queues).join(', ')})`);
    return q;
  }
}

/** True when the failed job was acted on; false when there is no such failed job. */
async function found(action: Promise<unknown>): Promise<boolean> {
  try {
    await action;
    return true;
  } catch (e) {
    if (e instanceof QueueAdminError) return false;
    throw e;
  }
}

function failedJob(queue: string, j: Job): FailedJob {
  return {
    queue,
    id: String(j.id),
    name: j.name,
    attemptsMade: j.attemptsMade,
    failedReason: j.failedReason ?? '',
    addedAt: j.timestamp,
    ...(j.finishedOn ? { failedAt: j.finishedOn } : {}),
    data: j.data as unknown,
  };
}
