import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { describe, expect, it } from 'vitest';
import { featureKey, storeFeatureCache } from './feature-cache.ts';

const features = { count: 2, shape: [1, 2], values: Float32Array.of(1, 2, 3, 4) };

describe('storeFeatureCache', () => {
  it('computes and stores once, then every later run reads the stored features', async () => {
    const objects = new MemoryObjectStore('features');
    const notes: string[] = [];
    const options = { objects, jobId: 'job-1', ranges: { train: { start: 4, end: 6 } }, note: (m: string) => Promise.resolve(void notes.push(m)) };
    let computed = 0;
    const compute = () => {
      computed += 1;
      return Promise.resolve(features);
    };
    expect(await storeFeatureCache(options)('train', compute)).toEqual(features);
    // A resumed run builds a new cache over the same store.
    expect(await storeFeatureCache(options)('train', compute)).toEqual(features);
    expect(computed).toBe(1);
    expect(await objects.list('jobs/job-1/features/')).toEqual(['jobs/job-1/features/train/4-6.tsbf']);
    expect(notes).toEqual([
      'computed bottleneck features of train images 4-6 (2 x [1, 2]; none cached) and stored them at jobs/job-1/features/train/4-6.tsbf',
      'read cached bottleneck features of train images 4-6 from jobs/job-1/features/train/4-6.tsbf',
    ]);
  });

  it('replaces an unreadable object, saying why', async () => {
    const objects = new MemoryObjectStore('features');
    const key = featureKey('job-2', 'valid', { start: 0, end: 2 });
    await objects.put(key, Uint8Array.of(1, 2, 3));
    const notes: string[] = [];
    const cache = storeFeatureCache({ objects, jobId: 'job-2', ranges: { valid: { start: 0, end: 2 } }, note: (m) => Promise.resolve(void notes.push(m)) });
    expect(await cache('valid', () => Promise.resolve(features))).toEqual(features);
    expect(notes[0]).toContain('the cached object was unreadable (jobs/job-2/features/valid/0-2.tsbf is not a bottleneck feature object (bad magic))');
    expect((await objects.get(key)).length).toBeGreaterThan(3);
    await expect(cache('train', () => Promise.resolve(features))).rejects.toThrow('no record range for the train split');
  });
});
