import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersModelHandler } from '@tessera/core/training/training-state';
import { buildZip, syntheticImage } from '@tessera/storage/datasets/image-folder-fixtures';
import { sonarCsvPath } from '../integration/support/datasets.ts';
import { startTestCluster, type TestCluster } from '../integration/support/test-cluster.ts';
import { chromiumUnavailableReason, launchChromium, type TestBrowser } from './support/chromium.ts';
import { startDashboard, type DashboardServer } from '@tessera/client/cli/dashboard-server';
import { ARTIFACTS_DIR, chartPoints, jobStateIs, screenshot, seriousA11yViolations, waitForPointsAbove } from './support/page-checks.ts';
import { callAction, MIDDLEWARE_BYPASS_HEADER, refusesOrSendsToSignIn, serverActions } from './support/unauthenticated-requests.ts';

const skip = chromiumUnavailableReason();
if (skip) console.warn(`[test/e2e] dashboard tests skipped: ${skip}`);

/** The launch form's submit button (the header's sign-out is a submit button too). */
/** A job's page, not the launch form's. */
const JOB_PAGE_URL = /\/jobs\/(?!new$)[^/]+$/;
const LAUNCH_BUTTON = 'form[aria-label="Launch a job"] button[type=submit]';

describe.skipIf(skip !== null)('dashboard in Chromium against a real cluster', () => {
  let tc: TestCluster;
  let dashboard: DashboardServer;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  // The first admin and its one-time password come from the embedded cluster's first start, as for a user.
  const user = { username: 'admin', password: '' };
  const ids: { succeeded?: string; cancelled?: string; predicted?: string } = {};

  beforeAll(async () => {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    tc = await startTestCluster({ workers: 2, label: 'e2e' });
    await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
    expect(tc.cluster.adminPassword).toBeTruthy();
    user.password = tc.cluster.adminPassword!;
    dashboard = await startDashboard({ dataDir: tc.dataDir, logFile: path.join(ARTIFACTS_DIR, 'dashboard.log') });
    if (dashboard.buildMs !== null) console.log(`[test/e2e] next build took ${(dashboard.buildMs / 1000).toFixed(1)} s`);
    browser = await launchChromium();
    context = await browser.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await tc?.close();
  });

  const go = async (pathname: string) => {
    await page.goto(`${dashboard.url}${pathname}`);
  };

  it('sends a visitor without a session to sign in, refuses a wrong password, and signs in', async () => {
    await go('/jobs');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await screenshot(page, 'sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.fill('#username', user.username);
    await page.fill('#password', 'not the password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#sign-in-error')).toContain('Wrong user name or password');
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL('**/jobs'), page.click('button[type=submit]')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'tessera_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    // The browser holds a random id, not the coordinator's token: script cannot read it and it opens nothing there.
    expect(await page.evaluate('document.cookie')).not.toContain('tessera_session');
  });

  it('shows the schema error on the field at fault for an invalid hyperparameter', async () => {
    await go('/jobs/new');
    await page.fill('[name="training.learningRate"]', '-1');
    await page.click(LAUNCH_BUTTON);
    const error = page.locator('[id="training.learningRate-error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('training.learningRate');
    expect(await page.getAttribute('[name="training.learningRate"]', 'aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/jobs/new');
    await screenshot(page, 'launch-field-error');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('launches a Sonar run from the form, draws its steps as they arrive, and sees it succeed', async () => {
    await go('/jobs/new');
    await screenshot(page, 'launch');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.fill('[name="name"]', 'e2e-sonar');
    await Promise.all([page.waitForURL(JOB_PAGE_URL), page.click(LAUNCH_BUTTON)]);
    ids.succeeded = new URL(page.url()).pathname.split('/').pop()!;

    // Points appear while the job runs: a first one, then more, each seen together with the state shown beside it.
    const first = await waitForPointsAbove(page, 'chart-step-loss', 0);
    const more = await waitForPointsAbove(page, 'chart-step-loss', first.points);
    expect(first.state).toBe('running');
    expect(more.state).toBe('running');
    // Both ranks' throughput is listed while the job runs.
    await page.locator('#worker-throughput tbody tr').nth(1).waitFor();
    expect(await page.locator('#worker-throughput tbody tr td:nth-child(2)').allTextContents()).toEqual(['local-0', 'local-1']);
    await screenshot(page, 'job-running');
    expect(await page.locator('#chart-step-loss canvas').count()).toBe(1);

    await page.waitForFunction(jobStateIs('succeeded'), null, { timeout: 300_000 });
    expect(await chartPoints(page, 'chart-epoch-accuracy')).toBe(150);
    expect(await page.locator('#event-log li[data-kind="worker_joined"]').count()).toBe(2);
    await page.locator('#checkpoints').waitFor();
    await screenshot(page, 'job-succeeded');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const job = await tc.client.getJob(ids.succeeded);
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    expect(job.name).toBe('e2e-sonar');
  });

  it('downloads the checkpoint and loads it with tf.loadLayersModel', async () => {
    await go(`/jobs/${ids.succeeded}`);
    const row = page.locator('#checkpoints tbody tr').first();
    const download = async (file: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), row.locator(`a:text-is("${file}")`).click()]);
      const target = path.join(ARTIFACTS_DIR, `checkpoint-${file}`);
      await d.saveAs(target);
      return readFile(target);
    };
    const modelJson = await download('model.json');
    const weights = await download('weights.bin');
    expect(JSON.parse(modelJson.toString('utf8'))).toMatchObject({ format: 'layers-model' });
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const model = await tfl.loadLayersModel(layersModelHandler(modelJson, weights));
    const out = model.predict(tf.zeros([2, 60])) as Tensor;
    expect(out.shape).toEqual([2, 1]);
  });

  it('cancels a second run from its page, and refuses the same cancel without a session', async () => {
    await go('/jobs/new');
    await page.fill('[name="name"]', 'e2e-cancel');
    await page.fill('[name="training.epochs"]', '5000');
    await Promise.all([page.waitForURL(JOB_PAGE_URL), page.click(LAUNCH_BUTTON)]);
    ids.cancelled = new URL(page.url()).pathname.split('/').pop()!;
    await page.waitForFunction(jobStateIs('running'), null, { timeout: 120_000 });

    const cancelAction = (await serverActions()).find((a) => a.file.includes('cancel-job'));
    expect(cancelAction).toBeDefined();
    const refused = await callAction(dashboard.url, `/jobs/${ids.cancelled}`, cancelAction!.id, [ids.cancelled, {}], MIDDLEWARE_BYPASS_HEADER);
    expect(refusesOrSendsToSignIn(refused)).toBe(true);
    expect((await tc.client.getJob(ids.cancelled)).state).toBe('JOB_STATE_RUNNING');

    await page.click('button:text-is("Cancel job")');
    await page.waitForFunction(jobStateIs('cancelled'), null, { timeout: 60_000 });
    expect((await tc.client.getJob(ids.cancelled)).state).toBe('JOB_STATE_CANCELLED');
    await screenshot(page, 'job-cancelled');
  });

  it('lists, filters and searches jobs, and shows workers and data sets with a preview', async () => {
    await go('/jobs?state=JOB_STATE_SUCCEEDED&q=E2E-SON');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator(`tr[data-job-id="${ids.succeeded}"] td`).nth(1).textContent()).toBe('succeeded');
    await go('/jobs');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'jobs');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await go('/workers');
    expect(await page.locator('#workers tbody tr').count()).toBe(2);
    expect(await page.locator('#workers tbody tr td:nth-child(3)').allTextContents()).toEqual(['wasm', 'wasm']);
    await screenshot(page, 'workers');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await go('/datasets');
    await page.fill('#dataset-name', 'sonar-copy');
    await page.setInputFiles('#dataset-file', sonarCsvPath());
    await page.click('form[aria-label="Upload a data set"] button[type=submit]');
    await page.getByText('Uploaded sonar-copy@e90434cdbf00').waitFor();
    expect((await tc.client.listDatasets()).map((d) => d.name).sort()).toEqual(['sonar', 'sonar-copy']);
    await page.getByRole('link', { name: 'first rows of sonar', exact: true }).click();
    await page.locator('#dataset-preview').waitFor();
    expect(await page.locator('#dataset-preview tbody tr').count()).toBe(10);
    expect(await page.locator('#dataset-preview thead th').count()).toBe(61);
    expect(await page.textContent('#datasets')).toContain('e90434cdbf00fcf9');
    await screenshot(page, 'datasets');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('uploads a zip of class folders from the data-sets page and previews it as captioned thumbnails', async () => {
    const files = new Map<string, Uint8Array | null>();
    for (const [c, className] of ['circles', 'squares'].entries()) {
      for (let i = 0; i < 3; i += 1) files.set(`train/${className}/${i}.png`, await syntheticImage(c * 10 + i, 'png', { width: 30, height: 20 }));
    }
    await go('/datasets');
    await page.fill('#dataset-name', 'shapes');
    await page.setInputFiles('#dataset-file', { name: 'shapes.zip', mimeType: 'application/zip', buffer: buildZip(files) });
    await page.selectOption('#dataset-image-size', '64');
    await page.click('form[aria-label="Upload a data set"] button[type=submit]');
    await page.getByText('Uploaded shapes@').waitFor();
    expect((await tc.client.listDatasets()).find((d) => d.name === 'shapes')).toMatchObject({ kind: 'image-folder', summary: '6 images (6 train), 2 classes, 64x64 RGB' });
    await page.getByRole('link', { name: 'images of shapes', exact: true }).click();
    await page.locator('#dataset-thumbnails').waitFor();
    expect(await page.locator('#dataset-thumbnails figcaption').allTextContents()).toEqual(['circles', 'squares']);
    const images = page.locator('#dataset-thumbnails img');
    expect(await images.count()).toBe(6);
    expect(await images.first().getAttribute('alt')).toMatch(/^circles: train\/circles\/\d\.png$/);
    expect(await images.first().evaluate((img) => (img as { complete: boolean; naturalWidth: number }).complete && (img as { naturalWidth: number }).naturalWidth)).toBe(64);
    await screenshot(page, 'datasets-images');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('launches the dogs-vs-cats small-VGG template on an image data set and downloads a prediction job\'s CSV from its page', async () => {
    await go('/jobs/new');
    await page.selectOption('#template', 'dogs-vs-cats-small-vgg');
    await page.locator('[name="model.options.inputShape"]').waitFor();
    // Only image-folder data sets are offered to an image job; the tabular fields are gone.
    expect(await page.locator('#dataset option').allTextContents()).toEqual([expect.stringMatching(/^shapes — 6 images/)]);
    expect(await page.locator('[name="model.hidden"]').count()).toBe(0);
    expect(await page.inputValue('[name="model.name"]')).toBe('small-vgg');
    expect(await page.isChecked('[name="data.augment"]')).toBe(true);
    await screenshot(page, 'launch-image');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.fill('[name="data.augment.zoomRange"]', '1.5');
    await page.click(LAUNCH_BUTTON);
    await page.locator('[id="data.augment.zoomRange-error"]').waitFor();
    expect(await page.textContent('[id="data.augment.zoomRange-error"]')).toContain('data.augment.zoomRange');
    await page.fill('[name="data.augment.zoomRange"]', '0.1');
    await page.fill('[name="name"]', 'e2e-image');
    await page.fill('[name="training.epochs"]', '2');
    await page.fill('[name="training.batchSize"]', '4');
    await page.fill('[name="checkpoint.everyEpochs"]', '1');
    await Promise.all([page.waitForURL(JOB_PAGE_URL), page.click(LAUNCH_BUTTON)]);
    const trainId = new URL(page.url()).pathname.split('/').pop()!;
    await page.waitForFunction(jobStateIs('succeeded'), null, { timeout: 300_000 });
    const trained = await tc.client.getJob(trainId);
    expect(JSON.parse(trained.specJson)).toMatchObject({ workload: 'image-classification', model: { name: 'small-vgg', options: { inputShape: [64, 64, 3] } }, training: { epochs: 2 } });

    const files = new Map<string, Uint8Array | null>();
    for (let i = 1; i <= 3; i += 1) files.set(`test1/${i}.png`, await syntheticImage(i, 'png', { width: 30, height: 20 }));
    await tc.client.uploadDataset({ name: 'shapes-test1', kind: 'image-folder', fileName: 'test1.zip', bytes: buildZip(files), imageHeight: 64, imageWidth: 64 });
    const predicted = await tc.client.submitJob({ name: 'e2e-predict', workload: 'image-prediction', source: { jobId: trainId }, dataset: 'shapes-test1' });
    ids.predicted = predicted.id;
    await go(`/jobs/${predicted.id}`);
    await page.waitForFunction(jobStateIs('succeeded'), null, { timeout: 120_000 });
    await page.reload();
    expect(await page.textContent('#job-result')).toContain(`jobs/${predicted.id}/predictions.csv`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#job-result a:text-is("Download CSV")')]);
    expect(download.suggestedFilename()).toBe(`${predicted.id}-predictions.csv`);
    const target = path.join(ARTIFACTS_DIR, 'predictions.csv');
    await download.saveAs(target);
    const lines = (await readFile(target, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('id,label,probability');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1', '2', '3']);
    expect(lines.slice(1).every((line) => /^\d,(circles|squares),(0\.[5-9]\d*|1\.0+)$/.test(line))).toBe(true);
    await screenshot(page, 'job-predicted');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('refuses every page, route handler and server action without a session, middleware bypass header or not', async () => {
    const jobId = ids.succeeded!;
    const pages = ['/', '/jobs', '/jobs/new', `/jobs/${jobId}`, '/workers', '/datasets', '/datasets?preview=sonar'];
    const routes = [`/api/jobs/${jobId}/updates`, `/api/jobs/${jobId}/checkpoints/1/model.json`, `/api/jobs/${ids.predicted ?? jobId}/result`];
    const cookies = ['', 'tessera_session=forged-session-id'];
    for (const extra of [{}, MIDDLEWARE_BYPASS_HEADER]) {
      for (const cookie of cookies) {
        const headers: Record<string, string> = { ...extra, ...(cookie ? { cookie } : {}) };
        for (const target of [...pages, ...routes]) {
          const response = await fetch(`${dashboard.url}${target}`, { redirect: 'manual', headers });
          const body = await response.text();
          expect(refusesOrSendsToSignIn(response), `${target} ${JSON.stringify(headers)} → ${response.status}`).toBe(true);
          expect(body).not.toContain('e2e-sonar');
        }
      }
    }
    const actions = await serverActions();
    const guarded = actions.filter((a) => !a.file.endsWith('sign-in.ts'));
    // sign-out, launch, cancel and upload: each checks the session itself.
    expect(guarded.map((a) => path.basename(a.file)).sort()).toEqual(['cancel-job.ts', 'launch-job.ts', 'sign-out.ts', 'upload-dataset.ts']);
    for (const action of guarded) {
      const route = action.routes[0]!.replace('[id]', jobId);
      for (const extra of [{}, MIDDLEWARE_BYPASS_HEADER]) {
        const response = await callAction(dashboard.url, route, action.id, [jobId, {}], extra);
        expect(refusesOrSendsToSignIn(response), `${action.file} on ${route} → ${response.status}`).toBe(true);
      }
    }
    const before = await tc.client.listJobs();
    const launch = guarded.find((a) => a.file.includes('launch-job'))!;
    await callAction(dashboard.url, '/jobs/new', launch.id, [{}, { name: 'sneaky', workload: 'tabular-classification', dataset: 'sonar' }]);
    expect(await tc.client.listJobs()).toHaveLength(before.length);
  });
});
