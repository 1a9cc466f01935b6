/**
 * `./scripts/demo.sh`: the user's original scenario (../shared/seed), end to end on local services.
 * A CI pushes echo-server:v2.0 to the registry; one tagflow cycle commits
 * manifests/helm/.argocd-source-gitops-demo.yaml to the gitops-demo repository.
 */
import { spawn } from 'node:child_process';
import { startSeedEnvironment } from '../test/fixtures/seed-environment.ts';
import { pushTags } from '../test/fixtures/images.ts';
import { SEED_REPOSITORY } from '../test/fixtures/gitops-demo.ts';
import { TAGFLOW_BIN } from '../test/helpers/cli.ts';

const prefix = `tagflow-demo-${Date.now()}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function tagflow(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TAGFLOW_BIN, ...args], {
      stdio: 'inherit',
      env: { ...process.env, TAGFLOW_PREFIX: prefix },
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const step = (text: string) => console.log(`\n\x1b[1m==> ${text}\x1b[0m`);

step('Starting local services: registry (token auth, standing in for ACR), git over HTTP, Kubernetes API');
const env = await startSeedEnvironment({ tags: ['v1.0', 'v0.9'] });
try {
  env.addApplication({ writeBack: 'git:secret:argocd/git-creds' });
  console.log(`registry ${env.registry.url}  git ${env.repoURL}  kubernetes ${env.kube.url}`);
  step('CI pushes echo-server:v2.0 (and v2.0-rc1, latest, dev-abc) to the registry');
  await pushTags(env.registry, SEED_REPOSITORY, ['v2.0', 'v2.0-rc1', 'latest', 'dev-abc']);

  step('tagflow run --once');
  const code = await tagflow(['run', '--once', '--kubeconfig', env.kubeconfigPath, '--redis-url', redisUrl]);

  step('The gitops-demo repository now holds');
  const [last] = await env.git.log('gitops-demo');
  console.log(`commit ${last?.sha}\nAuthor: ${last?.author}\n\n${last?.message}`);
  console.log('--- manifests/helm/.argocd-source-gitops-demo.yaml');
  console.log(await env.git.readFile('gitops-demo', 'manifests/helm/.argocd-source-gitops-demo.yaml'));

  step('tagflow audit --app gitops-demo');
  await tagflow(['audit', '--app', 'gitops-demo', '--redis-url', redisUrl]);
  process.exitCode = code;
} finally {
  await env.stop();
}
