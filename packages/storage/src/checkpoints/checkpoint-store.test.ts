import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../content-hash.ts';
import { MemoryObjectStore } from '../memory-object-store.ts';
import type { CheckpointInput } from './checkpoint-store.ts';
import {
  CHECKPOINT_PART_NAMES, checkpointPrefixForJob, findLatestCheckpoint, isCheckpointPartName, listCheckpoints, readCheckpoint, readCheckpointPart, writeCheckpoint,
} from './checkpoint-store.ts';

const prefix = checkpointPrefixForJob('job-1');

function input(step: number): CheckpointInput {
  return {
    step,
    modelJson: { layers: [{ units: 4 }] },
    weights: new Uint8Array(Float32Array.from([step, 0.5, -1]).buffer),
    optimizer: Uint8Array.of(step % 256, 7, 7),
    state: { step, cursor: step * 8, seed: 42 },
    createdAt: new Date('2025-01-01T00:00:00Z'),
  };
}

/** Records the order of puts so tests can check parts-then-manifest-then-latest. */
function recordingStore(): { store: MemoryObjectStore; puts: string[] } {
  const store = new MemoryObjectStore();
  const puts: string[] = [];
  const put = store.put.bind(store);
  store.put = (key, data) => {
    puts.push(key);
    return put(key, data);
  };
  return { store, puts };
}

describe('writeCheckpoint / readCheckpoint', () => {
  it('writes parts, then the manifest, then latest.json, and reads back what it wrote', async () => {
    const { store, puts } = recordingStore();
    const manifestKey = await writeCheckpoint(store, prefix, input(20));
    expect(manifestKey).toBe('jobs/job-1/checkpoints/20/manifest.json');
    expect(puts).toEqual([
      'jobs/job-1/checkpoints/20/model.json',
      'jobs/job-1/checkpoints/20/weights.bin',
      'jobs/job-1/checkpoints/20/optimizer.bin',
      'jobs/job-1/checkpoints/20/state.json',
      'jobs/job-1/checkpoints/20/manifest.json',
      'jobs/job-1/checkpoints/latest.json',
    ]);
    const checkpoint = await readCheckpoint(store, manifestKey);
    expect(checkpoint.step).toBe(20);
    expect(checkpoint.modelJson).toEqual({ layers: [{ units: 4 }] });
    expect(new Float32Array(checkpoint.weights.buffer, checkpoint.weights.byteOffset, 3)).toEqual(
      Float32Array.from([20, 0.5, -1]),
    );
    expect([...checkpoint.optimizer]).toEqual([20, 7, 7]);
    expect(checkpoint.state).toEqual({ step: 20, cursor: 160, seed: 42 });
    expect(checkpoint.manifest.parts['weights.bin']).toEqual({
      sizeBytes: 12,
      sha256: sha256Hex(new Uint8Array(Float32Array.from([20, 0.5, -1]).buffer)),
    });
  });

  it('refuses a checkpoint with a missing part', async () => {
    const store = new MemoryObjectStore();
    const manifestKey = await writeCheckpoint(store, prefix, input(5));
    await store.delete('jobs/job-1/checkpoints/5/optimizer.bin');
    await expect(readCheckpoint(store, manifestKey)).rejects.toMatchObject({
      kind: 'IncompleteCheckpoint',
      missingKey: 'jobs/job-1/checkpoints/5/optimizer.bin',
    });
  });

  it('refuses a checkpoint whose part changed after the manifest, naming the part', async () => {
    const store = new MemoryObjectStore();
    const manifestKey = await writeCheckpoint(store, prefix, input(5));
    await store.put('jobs/job-1/checkpoints/5/weights.bin', Uint8Array.of(1, 2, 3));
    await expect(readCheckpoint(store, manifestKey)).rejects.toMatchObject({
      kind: 'CorruptCheckpoint',
      key: 'jobs/job-1/checkpoints/5/weights.bin',
      actual: sha256Hex(Uint8Array.of(1, 2, 3)),
    });
  });

  it('reports a missing manifest as CheckpointNotFound', async () => {
    await expect(readCheckpoint(new MemoryObjectStore(), `${prefix}/3/manifest.json`)).rejects.toMatchObject({
      kind: 'CheckpointNotFound',
      manifestKey: `${prefix}/3/manifest.json`,
    });
  });

  it.each([-1, 1.5, Number.NaN])('rejects step %s', async (step) => {
    await expect(writeCheckpoint(new MemoryObjectStore(), prefix, { ...input(1), step })).rejects.toMatchObject({
      kind: 'InvalidCheckpointInput',
    });
  });

  it('rejects job ids that would escape the jobs prefix', () => {
    expect(() => checkpointPrefixForJob('a/b')).toThrow(/contains '\/'/);
    expect(() => checkpointPrefixForJob('..')).toThrow(/invalid object key '.*\.\.'/);
  });
});

describe('findLatestCheckpoint', () => {
  it('returns null when there is no checkpoint', async () => {
    expect(await findLatestCheckpoint(new MemoryObjectStore(), prefix)).toBeNull();
  });

  it('follows latest.json to the newest checkpoint', async () => {
    const store = new MemoryObjectStore();
    await writeCheckpoint(store, prefix, input(10));
    await writeCheckpoint(store, prefix, input(20));
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/20/manifest.json`);
  });

  it('never reports a crashed write (parts but no manifest) as latest', async () => {
    const store = new MemoryObjectStore();
    await writeCheckpoint(store, prefix, input(10));
    // Crash at step 20 after the parts, before manifest.json and latest.json.
    for (const name of ['model.json', 'weights.bin', 'optimizer.bin', 'state.json']) {
      await store.put(`${prefix}/20/${name}`, Uint8Array.of(1));
    }
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
    await store.delete(`${prefix}/latest.json`);
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
  });

  it('scans for the newest complete manifest when latest.json is missing, torn or dangling', async () => {
    const store = new MemoryObjectStore();
    for (const step of [9, 10, 100]) await writeCheckpoint(store, prefix, input(step));
    await store.delete(`${prefix}/100/state.json`);
    await store.put(`${prefix}/latest.json`, Buffer.from('{"manifestKey": "jobs/job-1/checkp'));
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
    await store.put(`${prefix}/latest.json`, Buffer.from(JSON.stringify({ manifestKey: `${prefix}/100/manifest.json` })));
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
    await store.delete(`${prefix}/latest.json`);
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
  });

  it('ignores a latest.json pointing outside its prefix', async () => {
    const store = new MemoryObjectStore();
    await writeCheckpoint(store, 'jobs/other/checkpoints', input(50));
    await writeCheckpoint(store, prefix, input(5));
    await store.put(`${prefix}/latest.json`, Buffer.from(JSON.stringify({ manifestKey: 'jobs/other/checkpoints/50/manifest.json' })));
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/5/manifest.json`);
  });

  it('hides a step while it is being rewritten', async () => {
    const store = new MemoryObjectStore();
    await writeCheckpoint(store, prefix, input(10));
    await writeCheckpoint(store, prefix, input(20));
    // Rewriting step 20 crashes after its first part: the old manifest must already be gone.
    const put = store.put.bind(store);
    store.put = (key, data) => (key.endsWith('/weights.bin') ? Promise.reject(new Error('crash')) : put(key, data));
    await expect(writeCheckpoint(store, prefix, { ...input(20), modelJson: { layers: [] } })).rejects.toThrow('crash');
    expect(await findLatestCheckpoint(store, prefix)).toBe(`${prefix}/10/manifest.json`);
  });
});

describe('listCheckpoints / readCheckpointPart', () => {
  it('lists complete checkpoints highest step first with their sizes, leaving out incomplete ones', async () => {
    const store = new MemoryObjectStore();
    for (const step of [9, 10, 100, 7]) await writeCheckpoint(store, prefix, input(step));
    await store.delete(`${prefix}/100/state.json`);
    await store.put(`${prefix}/200/model.json`, Uint8Array.of(1));
    const listed = await listCheckpoints(store, prefix);
    expect(listed.map((c) => c.step)).toEqual([10, 9, 7]);
    expect(listed[0]).toMatchObject({ manifestKey: `${prefix}/10/manifest.json`, sizeBytes: expect.any(Number) as number });
    const parts = listed[0]!.manifest.parts;
    expect(listed[0]!.sizeBytes).toBe(CHECKPOINT_PART_NAMES.reduce((sum, name) => sum + parts[name].sizeBytes, 0));
    expect(await listCheckpoints(store, checkpointPrefixForJob('job-none'))).toEqual([]);
  });

  it('reads one verified part, and names what is missing or changed', async () => {
    const store = new MemoryObjectStore();
    const manifestKey = await writeCheckpoint(store, prefix, input(3));
    expect([...(await readCheckpointPart(store, manifestKey, 'optimizer.bin'))]).toEqual([3, 7, 7]);
    await expect(readCheckpointPart(store, `${prefix}/4/manifest.json`, 'weights.bin')).rejects.toMatchObject({ kind: 'CheckpointNotFound' });
    await store.put(`${prefix}/3/weights.bin`, Uint8Array.of(9));
    await expect(readCheckpointPart(store, manifestKey, 'weights.bin')).rejects.toMatchObject({ kind: 'CorruptCheckpoint', key: `${prefix}/3/weights.bin` });
    await store.delete(`${prefix}/3/state.json`);
    await expect(readCheckpointPart(store, manifestKey, 'state.json')).rejects.toMatchObject({ kind: 'IncompleteCheckpoint' });
    expect(isCheckpointPartName('weights.bin')).toBe(true);
    expect(isCheckpointPartName('../x')).toBe(false);
  });
});
