import { describe, expect, it } from 'vitest';
import { aggregateUpdates, nextStatus, reconcilingStatus, type CycleOutcome, type CycleUpdate } from './status.ts';
import type { Condition, ImageUpdaterStatus } from './status-schema.ts';

const T0 = new Date('2026-08-18T10:00:00.123Z');
const T1 = new Date('2026-08-18T10:02:00Z');
const T2 = new Date('2026-08-18T10:04:00Z');

const outcome = (over: Partial<CycleOutcome> = {}): CycleOutcome => ({
  observedGeneration: 4,
  now: T1,
  applicationsMatched: 3,
  imagesManaged: 5,
  errors: 0,
  fatalError: null,
  updates: [],
  ...over,
});
const update = (alias: string, oldVersion: string, newVersion: string, at = T1): CycleUpdate => ({
  alias,
  image: `ghcr.io/org/${alias}`,
  oldVersion,
  newVersion,
  at,
});
const byType = (s: ImageUpdaterStatus) => Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c]));

describe('nextStatus: conditions for the three outcomes', () => {
  it.each<[string, Partial<CycleOutcome>, Record<string, Pick<Condition, 'status' | 'reason' | 'message'>>]>([
    [
      'clean',
      { updates: [update('web', '1.0', '1.1')] },
      {
        Reconciling: { status: 'False', reason: 'Idle', message: 'Last check completed. Awaiting next cycle.' },
        Error: { status: 'False', reason: 'NoErrors', message: 'No errors during last reconciliation.' },
        Ready: {
          status: 'True',
          reason: 'ReconcileSucceeded',
          message: 'Reconciled 3 applications, 1 images updated.',
        },
      },
    ],
    [
      'partial errors',
      { errors: 2 },
      {
        Reconciling: { status: 'False', reason: 'Idle', message: 'Last check completed. Awaiting next cycle.' },
        Error: { status: 'True', reason: 'PartialErrors', message: '2 error(s) occurred during image update checks.' },
        Ready: {
          status: 'True',
          reason: 'ReconcileCompletedWithErrors',
          message: 'Reconciled 3 applications with 2 errors, 0 images updated.',
        },
      },
    ],
    [
      'fatal error',
      { errors: 1, fatalError: 'failed to list applications: forbidden' },
      {
        Reconciling: { status: 'False', reason: 'Idle', message: 'Last check completed. Awaiting next cycle.' },
        Error: { status: 'True', reason: 'ReconcileError', message: 'failed to list applications: forbidden' },
        Ready: {
          status: 'False',
          reason: 'ReconcileFailed',
          message: 'Reconciliation failed: failed to list applications: forbidden',
        },
      },
    ],
  ])('%s', (_name, over, expected) => {
    const s = nextStatus(undefined, outcome(over));
    expect(s.conditions?.map((c) => c.type)).toEqual(['Reconciling', 'Error', 'Ready']);
    for (const [type, want] of Object.entries(expected)) {
      expect(byType(s)[type]).toEqual({
        type,
        ...want,
        observedGeneration: 4,
        lastTransitionTime: '2026-08-18T10:02:00Z',
      });
    }
    expect(s).toMatchObject({
      observedGeneration: 4,
      lastCheckedAt: '2026-08-18T10:02:00Z',
      applicationsMatched: 3,
      imagesManaged: 5,
    });
  });
});

describe('nextStatus: metav1.Condition transition times', () => {
  const first = nextStatus(undefined, outcome({ now: T0 }));

  it('keeps lastTransitionTime while a status stays, but takes the new reason, message and generation', () => {
    const second = nextStatus(first, outcome({ now: T1, observedGeneration: 5, updates: [update('web', '1', '2')] }));
    const c = byType(second);
    expect(c['Ready']).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-08-18T10:00:00Z',
      observedGeneration: 5,
      message: 'Reconciled 3 applications, 1 images updated.',
    });
    expect(c['Error']!.lastTransitionTime).toBe('2026-08-18T10:00:00Z');
  });

  it.each<[string, Partial<CycleOutcome>, Record<string, string>]>([
    [
      'partial errors flip Error only',
      { errors: 1 },
      { Ready: '2026-08-18T10:00:00Z', Error: '2026-08-18T10:02:00Z', Reconciling: '2026-08-18T10:00:00Z' },
    ],
    [
      'a fatal error flips Ready and Error',
      { fatalError: 'boom' },
      { Ready: '2026-08-18T10:02:00Z', Error: '2026-08-18T10:02:00Z', Reconciling: '2026-08-18T10:00:00Z' },
    ],
  ])('%s', (_name, over, times) => {
    const c = byType(nextStatus(first, outcome({ now: T1, ...over })));
    for (const [type, at] of Object.entries(times)) expect(c[type]!.lastTransitionTime, type).toBe(at);
  });

  it('Reconciling goes True at the start and False at the end, each a transition', () => {
    const started = reconcilingStatus(first, 4, T1);
    expect(byType(started)['Reconciling']).toMatchObject({
      status: 'True',
      reason: 'Reconciling',
      message: 'Image update check in progress.',
      lastTransitionTime: '2026-08-18T10:02:00Z',
    });
    expect(byType(started)['Ready']).toEqual(byType(first)['Ready']);
    expect(started.lastCheckedAt).toBe(first.lastCheckedAt);
    const done = nextStatus(started, outcome({ now: T2 }));
    expect(byType(done)['Reconciling']).toMatchObject({ status: 'False', lastTransitionTime: '2026-08-18T10:04:00Z' });
    expect(byType(done)['Ready']!.lastTransitionTime).toBe('2026-08-18T10:00:00Z');
  });

  it('keeps conditions of other types and their order', () => {
    const prev: ImageUpdaterStatus = {
      conditions: [
        { type: 'Ready', status: 'False', reason: 'X', message: 'x', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'Custom', status: 'True', reason: 'Y', message: 'y', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
    };
    expect(nextStatus(prev, outcome()).conditions?.map((c) => c.type)).toEqual([
      'Ready',
      'Custom',
      'Reconciling',
      'Error',
    ]);
  });
});

describe('nextStatus: lastUpdatedAt and recentUpdates only when something was updated', () => {
  const updated = nextStatus(undefined, outcome({ now: T0, updates: [update('web', '1.0', '1.1', T0)] }));

  it('sets them when there are updates', () => {
    expect(updated.lastUpdatedAt).toBe('2026-08-18T10:00:00Z');
    expect(updated.recentUpdates).toEqual([
      {
        alias: 'web',
        image: 'ghcr.io/org/web',
        newVersion: '1.1',
        applicationsUpdated: 1,
        updatedAt: '2026-08-18T10:00:00Z',
        message: 'Updated from 1.0 to 1.1.',
      },
    ]);
  });

  it('keeps the previous ones on a cycle without updates, and always moves lastCheckedAt', () => {
    const quiet = nextStatus(updated, outcome({ now: T2 }));
    expect(quiet.lastCheckedAt).toBe('2026-08-18T10:04:00Z');
    expect(quiet.lastUpdatedAt).toBe(updated.lastUpdatedAt);
    expect(quiet.recentUpdates).toEqual(updated.recentUpdates);
  });

  it('leaves them out when there never was an update', () => {
    const s = nextStatus(undefined, outcome());
    expect('lastUpdatedAt' in s || 'recentUpdates' in s).toBe(false);
  });

  it('replaces recentUpdates (not appends) on the next cycle with updates', () => {
    const next = nextStatus(updated, outcome({ now: T2, updates: [update('api', '2', '3', T2)] }));
    expect(next.recentUpdates?.map((u) => u.alias)).toEqual(['api']);
    expect(next.lastUpdatedAt).toBe('2026-08-18T10:04:00Z');
  });
});

describe('aggregateUpdates: by (alias, newVersion)', () => {
  it.each<[string, CycleUpdate[], object[]]>([
    ['none', [], []],
    [
      'same alias and version across apps counts apps',
      [update('web', '1.0', '1.1', T0), update('web', '1.0', '1.1', T2), update('web', '0.9', '1.1', T1)],
      [
        {
          alias: 'web',
          newVersion: '1.1',
          applicationsUpdated: 3,
          updatedAt: '2026-08-18T10:04:00Z',
          message: 'Updated from 1.0 to 1.1.',
        },
      ],
    ],
    [
      'different versions are separate',
      [update('web', '1.0', '1.1'), update('web', '1.1', '1.2')],
      [
        { alias: 'web', newVersion: '1.1', applicationsUpdated: 1 },
        { alias: 'web', newVersion: '1.2', applicationsUpdated: 1, message: 'Updated from 1.1 to 1.2.' },
      ],
    ],
    [
      'different aliases are separate, in first-seen order',
      [update('b', '1', '2'), update('a', '1', '2'), update('b', '1', '2')],
      [
        { alias: 'b', applicationsUpdated: 2 },
        { alias: 'a', applicationsUpdated: 1 },
      ],
    ],
    [
      'digests as versions',
      [update('web', 'sha256:aaa', 'sha256:bbb')],
      [{ newVersion: 'sha256:bbb', message: 'Updated from sha256:aaa to sha256:bbb.' }],
    ],
  ])('%s', (_name, updates, expected) => {
    const got = aggregateUpdates(updates);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toMatchObject(e));
  });
});
