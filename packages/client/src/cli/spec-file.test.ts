import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpecFile } from './spec-file.ts';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples');

describe('the example specs', () => {
  it('all validate against the job-spec schema', async () => {
    const files = (await readdir(examples)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files).toEqual(
      expect.arrayContaining(['sonar.yaml', 'dogs-vs-cats.yaml', 'vgg16-transfer.yaml', 'lung-seg.yaml', 'lung-seg-3d.yaml', 'skull-stripping.yaml']),
    );
    for (const file of files) {
      const spec = await loadSpecFile(path.join(examples, file));
      expect(spec.name, file).not.toBe('');
    }
  });

  it('the transfer-learning example runs its phases in order: top on cached features, then block 5 at a tenth of the rate', async () => {
    const spec = await loadSpecFile(path.join(examples, 'vgg16-transfer.yaml'));
    if (spec.workload !== 'image-classification') throw new Error('not an image spec');
    expect(spec.phases).toEqual([
      expect.objectContaining({ kind: 'top', cachedFeatures: true, epochs: 10 }),
      expect.objectContaining({ kind: 'fine-tune', unfreezeFrom: 'block5_conv1', epochs: 5, learningRate: 0.0001 }),
    ]);
    expect(spec.training.epochs).toBe(15);
  });
});
