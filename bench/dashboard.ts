/**
 * Dashboard benchmark in Chromium: time to first render (first contentful paint) and time until the data is on
 * screen for the jobs page with 1,000 jobs and a job page whose chart replays 10,000 metric points, and the latency
 * from a step leaving the coordinator to its point being on the chart; each beside a plain static page (the same
 * 1,000-row table; an EventSource appending to the DOM) measured in the same run. The dashboard runs as a production
 * build (`next start`) against an in-memory coordinator stand-in (dashboard-fake-coordinator.ts), so the numbers are
 * the dashboard's own. Writes bench/results/dashboard.json. Run: `pnpm bench:dashboard`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/support/chromium.ts';
import { startDashboard } from '@tessera/client/cli/dashboard-server';
import { startFakeCoordinator } from './dashboard-fake-coordinator.ts';
import { startStaticBaseline } from './dashboard-static-baseline.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = process.env.BENCH_RESULTS ?? path.join(HERE, 'results/dashboard.json');
const JOBS = 1_000;
const POINTS = 10_000;
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 50);

interface LoadTiming {
  firstContentfulPaintMs: number;
  dataOnScreenMs: number;
}

/** Loads `url` and reports FCP and when `ready` (a page-side expression) first holds, both from navigation start. */
async function timeLoad(page: Page, url: string, ready: string): Promise<LoadTiming> {
  await page.goto(url, { waitUntil: 'commit' });
  // Page-side code is passed as text: the repository's types describe Node, not the DOM.
  const dataOnScreenMs = await page.evaluate<number>(`new Promise((resolve) => {
    const check = () => ((${ready}) ? resolve(performance.now()) : requestAnimationFrame(check));
    check();
  })`);
  // The paint entry is recorded after the frame is presented, which can be after `ready` first holds.
  const fcp = await page.evaluate<number>(`new Promise((resolve) => {
    new PerformanceObserver((list, observer) => {
      const entry = list.getEntriesByName('first-contentful-paint')[0];
      if (entry) { observer.disconnect(); resolve(entry.startTime); }
    }).observe({ type: 'paint', buffered: true });
  })`);
  return { firstContentfulPaintMs: fcp, dataOnScreenMs };
}

/** Pushes `steps` points one at a time and measures wall-clock time from push to the chart's point count changing. */
async function stepLatencies(page: Page, selector: string, push: () => void, steps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const before = Number(await page.getAttribute(selector, 'data-points'));
    // `void`: evaluate would otherwise wait for the promise, and the step that resolves it is only pushed after.
    await page.evaluate(`void (window.__seen = new Promise((resolve) => {
      const el = document.querySelector(${JSON.stringify(selector)});
      const observer = new MutationObserver(() => {
        if (Number(el.getAttribute('data-points')) > ${before}) { observer.disconnect(); resolve(Date.now()); }
      });
      observer.observe(el, { attributes: true, attributeFilter: ['data-points'] });
    }))`);
    const sentAt = Date.now();
    push();
    out.push((await page.evaluate<number>('window.__seen')) - sentAt);
  }
  return out;
}

function summary(values: number[]): { median: number; p95: number; min: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0]!), max: round(sorted.at(-1)!), n: sorted.length };
}

function loads(timings: LoadTiming[]) {
  return { firstContentfulPaintMs: summary(timings.map((t) => t.firstContentfulPaintMs)), dataOnScreenMs: summary(timings.map((t) => t.dataOnScreenMs)) };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-dashboard-'));
  const progress = (what: string) => console.error(`[bench:dashboard] ${what}`);
  const coordinator = await startFakeCoordinator({ jobs: JOBS, historyPoints: POINTS });
  const baseline = await startStaticBaseline(JOBS);
  const dashboard = await startDashboard({ dataDir: scratch, logFile: path.join(scratch, 'dashboard.log'), env: { TESSERA_COORDINATOR: coordinator.address } });
  progress(`dashboard at ${dashboard.url}${dashboard.buildMs === null ? '' : ` (built in ${Math.round(dashboard.buildMs)} ms)`}`);
  const browser = await launchChromium();
  try {
    const page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${dashboard.url}/sign-in`);
    await page.fill('#username', 'bench');
    await page.fill('#password', 'bench-password');
    await Promise.all([page.waitForURL('**/jobs'), page.click('button[type=submit]')]);

    const rowsReady = `document.querySelectorAll('tbody tr').length >= ${JOBS}`;
    const pointsReady = `Number(document.querySelector('#chart-step-loss')?.getAttribute('data-points')) >= ${POINTS}`;
    const run = async (url: string, ready: string) => {
      await timeLoad(page, url, ready); // warm-up: first compile of the route, caches
      const timings: LoadTiming[] = [];
      for (let i = 0; i < LOADS; i++) timings.push(await timeLoad(page, url, ready));
      return loads(timings);
    };
    progress('signed in; loading pages');
    const staticTable = await run(`${baseline.url}/table`, rowsReady);
    const jobsPage = await run(`${dashboard.url}/jobs`, rowsReady);
    const jobPage = await run(`${dashboard.url}/jobs/${coordinator.jobId}`, pointsReady);

    progress('measuring live steps');
    const dashboardSteps = await stepLatencies(page, '#chart-step-loss', () => coordinator.emitStep(), STEPS);
    await page.goto(`${baseline.url}/sse`);
    await page.waitForFunction(`document.body.dataset.open === '1'`);
    const staticSteps = await stepLatencies(page, '#count', () => baseline.push(), STEPS);

    const result = {
      bench: 'dashboard',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', node: process.version, chromium: browser.browser.version() },
      setup: { jobs: JOBS, metricPoints: POINTS, loadsPerPage: LOADS, liveSteps: STEPS, nextBuildMs: dashboard.buildMs === null ? null : Math.round(dashboard.buildMs) },
      timeToFirstRender: {
        staticTable1000Rows: staticTable,
        jobsPage1000Jobs: jobsPage,
        jobPage10000Points: jobPage,
      },
      stepToChartLatencyMs: {
        staticEventSourceToDom: summary(staticSteps),
        dashboardWatchToChart: summary(dashboardSteps),
      },
    };
    await mkdir(path.dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await dashboard.close();
    await baseline.close();
    await coordinator.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
