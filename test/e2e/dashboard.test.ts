/**
 * The dashboard in real headless Chromium (Debian's chromium through playwright-core) against the
 * real pipeline: a fleet of 1,000 Applications in the kube stand-in (one repository, so one poll),
 * one of them updated by the argocd write-back, one whose git write-back fails for good (its git
 * server is down). Sign in with the token, see every queue, find the updated app among the 1,000
 * and read its timeline, bring the git server back and retry the failed commit job from the page.
 * Screenshots go to test-results/dashboard/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../services/git-server.ts';
import { HELM_FILES } from '../fixtures/gitops-demo.ts';
import { GIT_PASSWORD, GIT_USER } from '../fixtures/seed-environment.ts';
import { startWritebackEnvironment, type WritebackEnvironment } from '../fixtures/writeback-environment.ts';
import { startApiRole, type ApiRole } from '../helpers/api-role.ts';
import { startPipeline, until, type Pipeline } from '../helpers/pipeline.ts';

const TOKEN = 'e2e-dashboard-T0ken-31c7';
const ARTIFACTS = join(process.cwd(), 'test-results', 'dashboard');
const CP = 'tagflow-test';
const FLEET_SIZE = 1000;
const TARGET = 'checkout-0777';
const BROKEN = 'billing-git';

let env: WritebackEnvironment;
let pipeline: Pipeline;
let api: ApiRole;
let browser: Browser;
let page: Page;
let failedJobId: string;
let gitRoot: string;
let gitPort: number;
let downGit: GitServer | undefined;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  env = await startWritebackEnvironment();
  for (let i = 0; i < FLEET_SIZE - 2; i++)
    env.app({ name: `svc-${String(i).padStart(4, '0')}`, writeBack: 'argocd', running: 'v2.0' });
  env.app({ name: TARGET, writeBack: 'argocd', running: 'v1.0' });
  gitRoot = await mkdtemp(join(tmpdir(), 'tagflow-dashboard-git-'));
  const git = await startGitServer({ root: gitRoot, users: { [GIT_USER]: GIT_PASSWORD } });
  gitPort = Number(new URL(git.url).port);
  const repoURL = await git.createRepo('billing', HELM_FILES);
  await git.close(); // down: every attempt of the commit job fails, then the job fails for good
  env.app({ name: BROKEN, repoURL, writeBack: 'git:secret:argocd/git-creds', running: 'v1.0' });
  pipeline = await startPipeline(env.kubeconfigPath, { logLevel: 'info' });
  const summary = await pipeline.runOnce(120_000);
  expect(summary).toMatchObject({ applications: FLEET_SIZE, images_updated: 1, errors: 1 });
  const failed = await until(
    async () => (await pipeline.rt.queueAdmin.failed('commit', { offset: 0, limit: 10 }))[0],
    30_000,
    'the commit job to fail for good',
  );
  failedJobId = failed.id;
  api = await startApiRole(env.kubeconfigPath, pipeline.prefix, { TAGFLOW_API_TOKEN: TOKEN });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await pipeline?.close();
  await downGit?.close();
  await env?.stop();
  if (gitRoot) await rm(gitRoot, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('signs in with the token', async () => {
    await page.goto(`${api.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.error')).toContain('Wrong token');
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/dashboard$/);
    expect(await page.textContent('h1')).toBe('Fleet');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'tagflow_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.value).not.toContain(TOKEN);
    await shot('01-signed-in');
  });

  it('shows every queue with its counts and the failed commit job', async () => {
    await page.click('nav >> text=Queues');
    await page.waitForURL(/\/dashboard\/queues$/);
    const queues = await page.$$eval('#queues tbody tr', (rows) => rows.map((r) => r.getAttribute('data-queue')));
    expect(queues).toEqual(['cycle', 'poll', 'select', 'patch', 'commit']);
    expect(Number(await page.textContent('#queues tr[data-queue=commit] td[data-state=failed]'))).toBe(1);
    expect(Number(await page.textContent('#queues tr[data-queue=select] td[data-state=completed]'))).toBeGreaterThan(0);
    const row = page.locator(`tr.failed-job[data-queue=commit][data-job="${failedJobId}"]`);
    expect(await row.count()).toBe(1);
    expect(await row.locator('td.error').textContent()).toMatch(/\S/);
    expect(await page.content()).not.toContain(GIT_PASSWORD); // credentials are never shown
    await shot('02-queues');
  });

  it('finds one app in the fleet of 1,000 and explains its update on the timeline', async () => {
    await page.click('nav >> text=Fleet');
    expect(await page.textContent('main .muted')).toContain(`${FLEET_SIZE} applications`);
    expect(await page.locator('#fleet tbody tr').count()).toBe(50);
    await page.click('a[rel=next]');
    await page.waitForURL(/cursor=/);
    // ordered by key: billing-git, checkout-0777, svc-0000 … svc-0047 on the first page
    expect(await page.locator('#fleet tbody tr').first().getAttribute('data-app')).toBe(`${CP}/argocd/svc-0048`);
    await page.fill('#q', TARGET);
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=checkout-0777/);
    const rows = page.locator('#fleet tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-app')).toBe(`${CP}/argocd/${TARGET}`);
    expect(await rows.first().locator('td.tag').allTextContents()).toEqual(['v2.0', 'v2.0']);
    await shot('03-fleet-search');

    await rows.first().locator('a').click();
    await page.waitForURL(/\/dashboard\/app\?key=/);
    const verdict = await page.textContent('dd.verdict');
    expect(verdict).toContain('moved to v2.0');
    const kinds = await page.$$eval('#timeline tr.record', (rs) =>
      rs.map((r) => `${r.getAttribute('data-kind')}:${r.getAttribute('data-outcome')}`),
    );
    expect(kinds).toEqual(expect.arrayContaining(['select:planned', 'write-back:updated']));
    const timeline = await page.textContent('#timeline');
    expect(timeline).toContain('v1.0 → v2.0');
    expect(timeline).toMatch(/tags found → \d+ left after the tag filters/);
    expect(timeline).toContain('Application patched (resourceVersion');
    expect(timeline).toMatch(/patch\/\S+ attempt 1/);
    await shot('04-timeline');
  });

  it('retries the failed commit job once its git server is back', async () => {
    downGit = await startGitServer({ root: gitRoot, port: gitPort, users: { [GIT_USER]: GIT_PASSWORD } });
    await page.click('nav >> text=Queues');
    await page.locator(`tr.failed-job[data-job="${failedJobId}"] button[value=retry]`).click();
    await page.waitForURL(/done=/);
    expect(await page.textContent('[role=status]')).toContain(`Job commit/${failedJobId} retried`);
    await until(
      async () => (await api.services.queueAdmin.state('commit', failedJobId)) === 'completed',
      60_000,
      'the retried commit job to complete',
    );
    await page.reload();
    expect(await page.locator(`tr.failed-job[data-job="${failedJobId}"]`).count()).toBe(0);
    expect(Number(await page.textContent('#queues tr[data-queue=commit] td[data-state=failed]'))).toBe(0);
    await shot('05-retried');
  });
});
