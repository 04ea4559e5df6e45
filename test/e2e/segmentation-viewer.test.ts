import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '@tessera/client/cli/dashboard-server';
import { affineFromRows } from '@tessera/medical/nifti/nifti-affine';
import { writeNiftiGz } from '@tessera/medical/nifti/nifti-writer';
import { encodeVolumeMaskNiftiGz } from '@tessera/medical/nifti/volume-mask-nifti';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { greyPng } from '@tessera/storage/datasets/segmentation-fixtures';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { startTestCluster, type TestCluster } from '../integration/support/test-cluster.ts';
import { chromiumUnavailableReason, launchChromium, type TestBrowser } from './support/chromium.ts';
import { ARTIFACTS_DIR, screenshot, seriousA11yViolations } from './support/page-checks.ts';
import { refusesOrSendsToSignIn } from './support/unauthenticated-requests.ts';

const skip = chromiumUnavailableReason();
if (skip) console.warn(`[test/e2e] segmentation viewer tests skipped: ${skip}`);

// Three small CT volumes, depth x height x width, in HU: intensity rises along depth (100 HU a slice) and width
// (20 HU a column), so both a slice change and a window change move every pixel's grey by a known amount.
const [DEPTH, HEIGHT, WIDTH] = [8, 32, 24];
const huAt = (z: number, x: number) => -1000 + 100 * z + 20 * x;
/** The true mask: a box over slices 2-5, columns 6-17, rows 8-23; the prediction covers its left half only. */
const inBox = (z: number, y: number, x: number) => z >= 2 && z <= 5 && y >= 8 && y <= 23 && x >= 6 && x <= 17;
const inPrediction = (z: number, y: number, x: number) => inBox(z, y, x) && x <= 11;
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function volume(fill: (z: number, y: number, x: number) => number): Float32Array {
  const data = new Float32Array(DEPTH * HEIGHT * WIDTH);
  for (let z = 0; z < DEPTH; z += 1) for (let y = 0; y < HEIGHT; y += 1) for (let x = 0; x < WIDTH; x += 1) data[(z * HEIGHT + y) * WIDTH + x] = fill(z, y, x);
  return data;
}

const greyPixel = (grey: number): number[] => [grey, grey, grey, 255];

/** Grey as radiology windows define it (independent of the dashboard's code): linear over centre +- width/2. */
function expectedGrey(hu: number, center: number, width: number): number {
  const grey = ((hu - (center - width / 2)) / width) * 255;
  return Math.round(Math.min(255, Math.max(0, grey)));
}

describe.skipIf(skip !== null)('segmentation slice viewer in Chromium against a real cluster', () => {
  let tc: TestCluster;
  let dashboard: DashboardServer;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  let source: string;
  let predictionJobId = '';

  beforeAll(async () => {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    // No worker: the prediction job stays queued; its outputs are written below as a finished job leaves them.
    tc = await startTestCluster({ workers: 0, label: 'e2e-viewer' });
    source = await mkdtemp(path.join(tmpdir(), 'tessera-e2e-ct-'));
    await mkdir(path.join(source, 'images'));
    await mkdir(path.join(source, 'masks'));
    const grid = { shape: [WIDTH, HEIGHT, DEPTH], affine: affineFromRows([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]) };
    for (const id of ['ct-1', 'ct-2', 'ct-3']) {
      await writeNiftiGz(path.join(source, 'images', `${id}.nii.gz`), { ...grid, data: volume((z, _y, x) => huAt(z, x)) });
      // ct-3 has no mask: an unlabeled (test) case.
      if (id !== 'ct-3') await writeNiftiGz(path.join(source, 'masks', `${id}.nii.gz`), { ...grid, data: Uint8Array.from(volume((z, y, x) => (inBox(z, y, x) ? 1 : 0))) });
    }
    const objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    const { manifest } = await ingestSegmentationDataset(objects, { name: 'ct-mini', source, modality: 'CT', className: 'lung', validFraction: 0 });
    await tc.client.registerDataset('ct-mini', manifest.sha256);

    const job = await tc.client.submitJob({
      name: 'e2e-seg-predict', workload: 'segmentation-prediction', source: { jobId: 'job-e2enosuchsource' }, dataset: 'ct-mini', split: 'train', output: { prefix: 'e2e/seg-predictions' },
    });
    predictionJobId = job.id;
    const predicted = Uint8Array.from(volume((z, y, x) => (inPrediction(z, y, x) ? 1 : 0)));
    for (const id of ['ct-1', 'ct-2']) await objects.put(`e2e/seg-predictions/masks/${id}.nii.gz`, await encodeVolumeMaskNiftiGz(predicted, [DEPTH, HEIGHT, WIDTH], IDENTITY));
    const summary = { job: job.id, dataset: 'ct-mini', split: 'train', meanDice: 0.665, meanIou: 0.5, cases: [{ id: 'ct-1', dice: 0.91, iou: 0.83 }, { id: 'ct-2', dice: 0.42, iou: 0.17 }] };
    await objects.put('e2e/seg-predictions/summary.json', Buffer.from(JSON.stringify(summary)));

    dashboard = await startDashboard({ dataDir: tc.dataDir, logFile: path.join(ARTIFACTS_DIR, 'dashboard-viewer.log') });
    if (dashboard.buildMs !== null) console.log(`[test/e2e] next build took ${(dashboard.buildMs / 1000).toFixed(1)} s`);
    browser = await launchChromium();
    context = await browser.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    await page.goto(`${dashboard.url}/sign-in`);
    await page.fill('#username', 'admin');
    await page.fill('#password', tc.cluster.adminPassword!);
    await Promise.all([page.waitForURL('**/jobs'), page.click('button[type=submit]')]);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await tc?.close();
    if (source) await rm(source, { recursive: true, force: true });
  });

  /** RGBA of canvas pixel (x, y), read from the canvas's own backing store (one pixel per voxel). Page code is text: tests compile without the DOM lib. */
  const pixelScript = (x: number, y: number) => `Array.from(document.querySelector('#viewer-canvas').getContext('2d').getImageData(${x}, ${y}, 1, 1).data)`;
  const pixel = (x: number, y: number) => page.evaluate<number[]>(pixelScript(x, y));
  /** Waits until pixel (x, y) is grey (r = g = b) or, with `tinted`, until it is not. */
  const waitForGrey = (x: number, y: number, grey = true) =>
    page.waitForFunction(`(() => { const [r, g, b] = ${pixelScript(x, y)}; return (r === g && g === b) === ${grey}; })()`);
  const caseIds = async () => Promise.all((await page.locator('#viewer-cases tbody tr').all()).map((row) => row.getAttribute('data-case-id')));
  const attribute = async (name: string) => Number(await page.getAttribute('#viewer-canvas', name));
  const waitForAttribute = (name: string, value: number) => page.waitForFunction(`document.querySelector('#viewer-canvas')?.getAttribute('${name}') === '${value}'`);

  it('opens a case from the data set\'s page and scrolls its slices with the wheel, the keys and the slider', async () => {
    await page.goto(`${dashboard.url}/datasets`);
    await page.getByRole('link', { name: 'slice viewer of ct-mini', exact: true }).click();
    await page.locator('#viewer-canvas').waitFor();
    expect(await caseIds()).toEqual(['ct-1', 'ct-2', 'ct-3']);
    expect(await page.getAttribute('#viewer-canvas', 'width')).toBe(String(WIDTH));
    // CT opens on the lung window, at the slice where the true mask is largest (the first of 2-5).
    expect(await attribute('data-slice')).toBe(2);
    expect([await attribute('data-center'), await attribute('data-width')]).toEqual([-600, 1500]);
    expect(await pixel(1, 1)).toEqual(greyPixel(expectedGrey(huAt(2, 1), -600, 1500)));
    expect(await pixel(20, 1)).toEqual(greyPixel(expectedGrey(huAt(2, 20), -600, 1500)));

    await page.locator('#viewer-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#viewer-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 120);
    await waitForAttribute('data-slice', 3);
    expect(await pixel(1, 1)).toEqual(greyPixel(expectedGrey(huAt(3, 1), -600, 1500)));
    await page.focus('#viewer-canvas');
    await page.keyboard.press('ArrowUp');
    await waitForAttribute('data-slice', 4);
    await page.focus('#viewer-slice');
    await page.keyboard.press('ArrowRight');
    await waitForAttribute('data-slice', 5);
    expect(await page.textContent('#viewer-status')).toContain('Slice 6 of 8');
    expect(await pixel(1, 1)).toEqual(greyPixel(expectedGrey(huAt(5, 1), -600, 1500)));
    await screenshot(page, 'viewer-case');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('changes the window with a preset and by dragging on the image, repainting every pixel by it', async () => {
    await page.click('button:has-text("Mediastinum 40/400")');
    await waitForAttribute('data-width', 400);
    expect(await attribute('data-center')).toBe(40);
    // 0 HU at column 5 of slice 5: mid-grey-ish under mediastinum, near white under lung.
    expect(await pixel(5, 1)).toEqual(greyPixel(expectedGrey(huAt(5, 5), 40, 400)));

    // The preset buttons sit below the canvas: bring it back into view, where the mouse can reach it.
    await page.locator('#viewer-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#viewer-canvas').boundingBox())!;
    const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 60, start.y + 30, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(`document.querySelector('#viewer-canvas')?.getAttribute('data-width') !== '400'`);
    const [center, width] = [await attribute('data-center'), await attribute('data-width')];
    // Right widened the window, down raised the centre.
    expect(width).toBeGreaterThan(400);
    expect(center).toBeGreaterThan(40);
    for (const x of [1, 5, 12, 20]) expect(await pixel(x, 1), `column ${x}`).toEqual(greyPixel(expectedGrey(huAt(5, x), center, width)));
  });

  it('overlays the true mask as an outline or a fill, and hides it', async () => {
    // Voxel (9, 12) is inside the box, away from its edge; (6, 12) is on its edge.
    const inside = await pixel(9, 12);
    expect(inside[0]).toBe(inside[1]);
    const edge = await pixel(6, 12);
    expect(edge.slice(0, 3)).toEqual([0, 200, 83]);
    await page.selectOption('#viewer-truth-style', 'fill');
    await waitForGrey(9, 12, false);
    const filled = await pixel(9, 12);
    expect(filled[1]! - filled[0]!).toBeGreaterThan(40);
    const outside = await pixel(1, 1);
    expect(outside[0]).toBe(outside[1]);
    await page.uncheck('#viewer-truth');
    await waitForGrey(9, 12);
    expect(await pixel(9, 12)).toEqual(inside);
    expect(await page.locator('#viewer-prediction').count()).toBe(0);
  });

  it('picks a prediction job, lists Dice and IoU per case sortable by Dice, and overlays the predicted mask', async () => {
    await page.selectOption('#prediction', predictionJobId);
    await Promise.all([page.waitForURL(/prediction=/), page.click('form[aria-label="Choose a prediction"] button[type=submit]')]);
    await page.locator('#viewer-canvas').waitFor();
    expect(await page.textContent('#prediction-summary')).toContain('Dice 0.665, IoU 0.500');
    const rows = async () => {
      const ids = await caseIds();
      const dice = await page.locator('#viewer-cases tbody td.dice').allTextContents();
      return ids.map((id, i) => [id, dice[i]]);
    };
    expect(await rows()).toEqual([['ct-1', '0.910'], ['ct-2', '0.420'], ['ct-3', '—']]);
    await Promise.all([page.waitForURL(/sort=dice&order=asc/), page.click('#viewer-cases th a:has-text("Dice")')]);
    expect(await rows()).toEqual([['ct-2', '0.420'], ['ct-1', '0.910'], ['ct-3', '—']]);
    expect(await page.getAttribute('#viewer-cases th[aria-sort]', 'aria-sort')).toBe('ascending');
    await Promise.all([page.waitForURL(/order=desc/), page.click('#viewer-cases th a:has-text("Dice")')]);
    expect(await rows()).toEqual([['ct-1', '0.910'], ['ct-2', '0.420'], ['ct-3', '—']]);

    await Promise.all([page.waitForURL(/case=ct-2/), page.click('#viewer-cases a:text-is("ct-2")')]);
    await page.locator('#viewer-prediction').waitFor();
    expect(await page.textContent('#viewer-status')).toContain('Dice 0.420, IoU 0.170');
    await page.uncheck('#viewer-truth');
    // (8, 12) is predicted (magenta over grey), (15, 12) is in the true box only: grey with the truth hidden.
    await waitForGrey(15, 12);
    const predicted = await pixel(8, 12);
    expect(predicted[0]! - predicted[1]!).toBeGreaterThan(40);
    expect(predicted[2]! - predicted[1]!).toBeGreaterThan(40);
    await page.uncheck('#viewer-prediction');
    await waitForGrey(8, 12);
    await screenshot(page, 'viewer-prediction');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.goto(`${dashboard.url}/datasets/ct-mini/viewer?case=ct-3&prediction=${predictionJobId}`);
    await page.locator('#viewer-canvas').waitFor();
    expect(await page.textContent('.viewer-controls')).toContain('No ground truth for this case (test)');
  });

  it('previews the set on the data-sets page (splits, modality, middle slices) and links the viewer', async () => {
    await page.goto(`${dashboard.url}/datasets`);
    await Promise.all([page.waitForURL(/preview=ct-mini/), page.click('a:has-text("images")')]);
    expect(await page.textContent('#preview-heading')).toBe('ct-mini: 2 train / 0 valid / 1 unlabeled 3D volumes, CT (HU), classes lung');
    // Thumbnails come from the first packed shard: the train shard holds the 2 labeled volumes.
    expect(await page.locator('#dataset-thumbnails img').count()).toBe(2);
    await Promise.all([page.waitForURL(/\/datasets\/ct-mini\/viewer\?/), page.click('text=Open the slice viewer')]);
    await page.locator('#viewer-canvas').waitFor();
  });

  it('links a segmentation-prediction job\'s page to the viewer', async () => {
    await page.goto(`${dashboard.url}/jobs/${predictionJobId}`);
    await Promise.all([page.waitForURL(/\/datasets\/ct-mini\/viewer\?/), page.click('#job-viewer a')]);
    expect(new URL(page.url()).searchParams.get('prediction')).toBe(predictionJobId);
    await page.locator('#viewer-canvas').waitFor();
  });

  it('launches the 3D patch U-Net template on the volume set, which the 2D template does not offer', async () => {
    await page.goto(`${dashboard.url}/jobs/new`);
    await page.selectOption('#template', 'lung-segmentation-2d-unet');
    await page.locator('[name="loss.crossEntropyWeight"]').waitFor();
    expect(await page.locator('#dataset option').allTextContents()).toEqual(['No data set registered']);
    await page.selectOption('#template', 'segmentation-3d-patch-unet');
    await page.locator('[name="data.patches.perVolume"]').waitFor();
    expect(await page.locator('#dataset option').allTextContents()).toEqual([expect.stringMatching(/^ct-mini — /)]);
    expect(await page.inputValue('[name="model.options.inputShape"]')).toBe('32, 32, 32');
    expect(await page.locator('[name="data.augment.rotationRange"]').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.fill('[name="data.patches.foregroundFraction"]', '2');
    await page.click('form[aria-label="Launch a job"] button[type=submit]');
    await page.locator('[id="data.patches.foregroundFraction-error"]').waitFor();
    await page.fill('[name="data.patches.foregroundFraction"]', '0.75');
    await page.fill('[name="model.options.inputShape"]', '16');
    await page.selectOption('[name="data.intensity.preset"]', 'mediastinum');
    await page.fill('[name="name"]', 'e2e-seg-3d');
    await Promise.all([page.waitForURL(/\/jobs\/job-/), page.click('form[aria-label="Launch a job"] button[type=submit]')]);
    const job = await tc.client.getJob(new URL(page.url()).pathname.split('/').pop()!);
    expect(JSON.parse(job.specJson)).toMatchObject({
      workload: 'segmentation',
      model: { name: 'unet3d', options: { inputShape: [16, 16, 16, 1] } },
      data: { intensity: { kind: 'window', preset: 'mediastinum' }, patches: { perVolume: 16, foregroundFraction: 0.75 }, augment: { horizontalFlip: true } },
      loss: { kind: 'bce-dice', crossEntropyWeight: 0.1 },
      resources: { minWorkers: 2, maxWorkers: 2 },
    });
    await tc.client.cancelJob(job.id);
  });

  it('names an unknown case, and refuses the viewer and its bytes without a session', async () => {
    const missing = await page.evaluate<{ status: number; text: string }>(
      `fetch('/api/datasets/ct-mini/cases/ct-404').then(async (response) => ({ status: response.status, text: await response.text() }))`,
    );
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('has no case ct-404');
    for (const target of ['/datasets/ct-mini/viewer', '/api/datasets/ct-mini/cases/ct-1']) {
      const response = await fetch(`${dashboard.url}${target}`, { redirect: 'manual' });
      expect(refusesOrSendsToSignIn(response), `${target} → ${response.status}`).toBe(true);
    }
  });

  it('uploads a zip of images/ and masks/ from the data-sets page as a segmentation set', async () => {
    const files = new Map<string, Uint8Array | null>();
    for (let i = 0; i < 5; i += 1) {
      files.set(`images/case-${i}.png`, await greyPng(40, 40, (x, y) => (x + y + i) % 200));
      files.set(`masks/case-${i}.png`, await greyPng(40, 40, (x) => (x < 20 ? 255 : 0)));
    }
    await page.goto(`${dashboard.url}/datasets`);
    await page.fill('#dataset-name', 'slices');
    await page.setInputFiles('#dataset-file', { name: 'slices.zip', mimeType: 'application/zip', buffer: buildZip(files) });
    await page.selectOption('#dataset-zip-kind', 'segmentation');
    await page.selectOption('#dataset-image-size', '64');
    await page.click('form[aria-label="Upload a data set"] button[type=submit]');
    await page.getByText('Uploaded slices@').waitFor();
    const stored = (await tc.client.listDatasets()).find((d) => d.name === 'slices');
    expect(stored).toMatchObject({ kind: 'segmentation' });
    expect(stored?.summary).toMatch(/^5 slices, 64x64 \(4 train, 1 valid\), png/);
  });
});
