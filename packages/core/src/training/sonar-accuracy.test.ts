import { beforeAll, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '../jobs/job-spec.ts';
import type { TabularClassificationSpec } from '../jobs/job-spec.ts';
import { createReplicas, runReplicas } from '../testing/in-process-replicas.ts';
import { loadSonarTable, sonarDataset, useWasmBackend } from '../testing/sonar-fixture.ts';

// The article's Keras MLP reached 81.64% test accuracy on a 60:40 split.
const articleAccuracy = 0.8164;
// Seeds fixed before tuning. The seed drives the split as well as the initial weights, and the split dominates:
// over 21 seeds the default spec ranges 73–90% (83 test rows; seed 42 is a hard split at ~73% for every setting
// tried), so this checks the defaults on these seeds, not on every possible split.
const seeds = [1, 2, 3, 4, 5];

beforeAll(useWasmBackend);

describe('Sonar MLP with the default spec, 2 data-parallel replicas', () => {
  it(`beats the article's ${articleAccuracy * 100}% on every seed and averages at least 85%`, async () => {
    const table = loadSonarTable();
    const accuracies: number[] = [];
    for (const seed of seeds) {
      const spec: TabularClassificationSpec = sonarExampleSpec({ seed });
      const replicas = createReplicas(spec, sonarDataset(spec, table), 2);
      try {
        const result = await runReplicas(replicas);
        expect(result.status).toBe('completed');
        const accuracy = result.metrics.find((m) => m.split === 'test' && m.name === 'accuracy')?.value;
        accuracies.push(accuracy ?? Number.NaN);
      } finally {
        replicas[Symbol.dispose]();
      }
    }
    const percent = accuracies.map((a) => `${(a * 100).toFixed(2)}%`).join(', ');
    console.info(`Sonar test accuracy for seeds ${seeds.join(', ')}: ${percent}`);
    for (const accuracy of accuracies) expect(accuracy).toBeGreaterThanOrEqual(articleAccuracy);
    const mean = accuracies.reduce((sum, a) => sum + a, 0) / accuracies.length;
    expect(mean).toBeGreaterThanOrEqual(0.85);
  });
});
