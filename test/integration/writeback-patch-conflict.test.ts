/**
 * The argocd write-back (merge-patch of the Application) against the Kubernetes API test server
 * through the real client: a 409 answered once, and a real concurrent modification between GET
 * and PATCH. The worker re-reads, re-applies and succeeds; the other writer's fields survive; the
 * resourceVersion written is in the audit trail.
 */
import { describe, expect, it } from 'vitest';
import type { Services } from '../../apps/cli/compose/services.ts';
import type { ApplicationStore } from '../../shared/ports/application-store.ts';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline, wrapControlPlanes, settleFailingOnce } from '../helpers/pipeline.ts';

const suite = writebackSuite();

const patches = (name: string) =>
  suite.env.kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/applications/${name}`));
const tagParam = (app: Record<string, any> | undefined) =>
  (app?.spec.source.helm.parameters as { name: string; value: string }[] | undefined)?.find(
    (p) => p.name === 'image.tag',
  )?.value;

/** Lets another writer change the Application right after tagflow's first GET of it. */
function concurrentWriterAfterFirstGet(change: () => void) {
  return (s: Services): Services => {
    let armed = true;
    return {
      ...s,
      controlPlanes: wrapControlPlanes(s.controlPlanes, (cp) => ({ applications: racing(cp.applications) })),
    };
    function racing(real: ApplicationStore): ApplicationStore {
      return {
        list: (ns, o) => real.list(ns, o),
        mergePatch: (ref, patch, rv) => real.mergePatch(ref, patch, rv),
        jsonPatch: (ref, ops, rv) => real.jsonPatch(ref, ops, rv),
        async get(ref) {
          const app = await real.get(ref);
          if (armed) {
            armed = false;
            change();
          }
          return app;
        },
      };
    }
  };
}

describe('argocd write-back conflicts', () => {
  it('a 409 from the API server is answered by re-reading and patching again', async () => {
    const name = suite.env.app({ name: 'conflict-409', writeBack: 'argocd' });
    suite.env.kube.failNext({ method: 'PATCH', pathRegex: `/applications/${name}$`, status: 409 });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(patches(name)).toHaveLength(2);
    const app = suite.env.application(name);
    expect(tagParam(app)).toBe('v2.0');
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${name}` });
    expect(audit.find((r) => r.kind === 'write-back')).toMatchObject({
      outcome: 'updated',
      resourceVersion: app!.metadata.resourceVersion,
    });
    expect(suite.pipeline.logText()).toContain('"msg":"Successfully updated the live application spec"');
  });

  it('another writer changes the Application between GET and PATCH: real 409, re-apply, their fields are kept', async () => {
    const name = suite.env.app({ name: 'conflict-real', writeBack: 'argocd' });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      prepare: concurrentWriterAfterFirstGet(() => {
        const app = suite.env.application(name)!;
        app.metadata.labels = { team: 'payments' };
        app.spec.source.helm.valueFiles = ['values.yaml', 'values-oversea.yaml'];
        app.spec.source.helm.parameters = [{ name: 'replicaCount', value: '3' }];
        app.spec.syncPolicy = { automated: { prune: true } };
        suite.env.kube.put(app);
      }),
    });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(patches(name)).toHaveLength(2);
    const app = suite.env.application(name)!;
    expect(app.metadata.labels).toEqual({ team: 'payments' });
    expect(app.spec.source.helm.valueFiles).toEqual(['values.yaml', 'values-oversea.yaml']);
    expect(app.spec.source.helm.parameters).toEqual(
      expect.arrayContaining([
        { name: 'replicaCount', value: '3' },
        expect.objectContaining({ name: 'image.tag', value: 'v2.0' }),
      ]),
    );
    expect(app.spec.syncPolicy).toEqual({ automated: { prune: true } });
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${name}` });
    expect(audit.filter((r) => r.kind === 'write-back')).toEqual([
      expect.objectContaining({ outcome: 'updated', resourceVersion: app.metadata.resourceVersion }),
    ]);
  });

  it('conflicts on every re-read give up with a transient error; the BullMQ retry then converges', async () => {
    const name = suite.env.app({ name: 'conflict-storm', writeBack: 'argocd' });
    suite.env.kube.failNext({ method: 'PATCH', pathRegex: `/applications/${name}$`, status: 409, times: 6 });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(patches(name)).toHaveLength(7);
    expect(tagParam(suite.env.application(name))).toBe('v2.0');
    const failed = suite.pipeline.logs().filter((l) => l.queue === 'patch' && l.msg?.startsWith('job failed'));
    expect(failed).toEqual([expect.objectContaining({ code: 'k8s.conflict', level: 'warn' })]);
  });

  it('a patch job retried after it patched but before it acknowledged the plan does not patch again', async () => {
    const name = suite.env.app({ name: 'patch-crash', writeBack: 'argocd' });
    const fault = settleFailingOnce('patch:', 'connection lost after the patch');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { prepare: fault.prepare });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(fault.crashed()).toBe(true);
    expect(patches(name)).toHaveLength(1);
    const app = suite.env.application(name)!;
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${name}` });
    expect(audit.filter((r) => r.kind === 'write-back')).toEqual([
      expect.objectContaining({ outcome: 'updated', attempt: 2, resourceVersion: app.metadata.resourceVersion }),
    ]);
  });

  it('a second cycle does not patch again', async () => {
    const name = suite.env.app({ name: 'conflict-idem', writeBack: 'argocd' });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const rv = suite.env.application(name)!.metadata.resourceVersion;
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 0, errors: 0 });
    expect(patches(name)).toHaveLength(1);
    expect(suite.env.application(name)!.metadata.resourceVersion).toBe(rv);
  });
});
