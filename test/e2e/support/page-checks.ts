import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Screenshots and logs of the e2e run (gitignored), kept as CI artifacts. */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-results/e2e');

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core's serious and critical violations on the page as it is now, as readable lines (empty: none). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Next.js streams a page's metadata: the <title> can land in the head just after the body. Check the page once it
  // has finished arriving (a page that never gets a title still fails, with axe's document-title violation).
  await page.waitForFunction("document.title !== ''", null, { timeout: 10_000 }).catch(() => undefined);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The number of points a chart on the job page has drawn (its `data-points`). */
export async function chartPoints(page: Page, chartId: string): Promise<number> {
  return Number((await page.getAttribute(`#${chartId}`, 'data-points')) ?? '0');
}

/**
 * Waits until a chart has drawn more than `n` points and returns that count with the job state shown at the same
 * moment (read together in the page, so "points grew while running" is one observation, not two).
 */
export async function waitForPointsAbove(page: Page, chartId: string, n: number): Promise<{ points: number; state: string }> {
  const handle = await page.waitForFunction(
    `(() => {
      const points = Number(document.querySelector('#${chartId}')?.getAttribute('data-points'));
      const state = document.querySelector('#job-progress')?.getAttribute('data-state') ?? '';
      return points > ${n} ? { points, state } : false;
    })()`,
    null,
    { timeout: 120_000, polling: 'raf' },
  );
  return (await handle.jsonValue()) as { points: number; state: string };
}

/** A page-side predicate: the job page shows the job in `state` (running, succeeded, cancelled...). */
export function jobStateIs(state: string): string {
  return `document.querySelector('#job-progress')?.getAttribute('data-state') === '${state}'`;
}
