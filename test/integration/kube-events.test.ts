import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWritebackEnvironment, type WritebackEnvironment } from '../fixtures/writeback-environment.ts';
import { startPipeline } from '../helpers/pipeline.ts';

let env: WritebackEnvironment;
beforeAll(async () => {
  env = await startWritebackEnvironment();
}, 60_000);
afterAll(() => env?.stop());

describe('Kubernetes Events for bad configuration', () => {
  it('warns once on the Application (not every cycle) and names the annotation', async () => {
    env.app({ name: 'broken', writeBack: 'git:secret:argocd/git-creds' });
    const app = env.application('broken')!;
    app.metadata.annotations!['argocd-image-updater.argoproj.io/echoserver.allow-tags'] = 'regexp:(unclosed';
    env.kube.put(app);
    const pipeline = await startPipeline(env.kubeconfigPath);
    try {
      expect((await pipeline.runOnce()).errors).toBe(1);
      expect((await pipeline.runOnce()).errors).toBe(1);
    } finally {
      await pipeline.close();
    }
    const warnings = (
      env.kube.list('v1', 'events', 'argocd') as unknown as {
        type: string;
        reason: string;
        message: string;
        involvedObject: { name: string };
      }[]
    ).filter((e) => e.type === 'Warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'InvalidConfiguration', involvedObject: { name: 'broken' } });
    expect(warnings[0]!.message).toContain('argocd-image-updater.argoproj.io/echoserver.allow-tags="regexp:(unclosed"');
  }, 60_000);
});
