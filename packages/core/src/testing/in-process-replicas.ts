import type * as tfl from '@tensorflow/tfjs-layers';
import type { TabularDataset } from '../data/tabular-dataset.ts';
import type { TabularClassificationSpec } from '../jobs/job-spec.ts';
import { buildMlp } from '../models/mlp.ts';
import { DataParallelTrainer } from '../training/data-parallel-trainer.ts';
import type { RunHooks, RunResult } from '../training/data-parallel-trainer.ts';
import { createInProcessAllReduce } from '../training/in-process-all-reduce.ts';

export interface Replica {
  readonly model: tfl.Sequential;
  readonly trainer: DataParallelTrainer;
}

/** `worldSize` replicas of one job in this process, joined by the in-process all-reduce. Dispose when done. */
export function createReplicas(
  spec: TabularClassificationSpec,
  dataset: TabularDataset,
  worldSize: number,
): Replica[] & Disposable {
  const reducers = createInProcessAllReduce(worldSize);
  const replicas = reducers.map((allReduceSum, rank) => {
    const model = buildMlp({
      hidden: spec.model.hidden,
      inputSize: dataset.featureCount,
      classCount: dataset.classCount,
      seed: spec.training.seed,
    });
    const trainer = new DataParallelTrainer({
      spec,
      model,
      dataset,
      rank,
      worldSize,
      allReduceSum,
      evaluate: rank === 0,
    });
    return { model, trainer };
  });
  return Object.assign(replicas, {
    [Symbol.dispose]: () => {
      for (const replica of replicas) {
        replica.trainer.dispose();
        replica.model.dispose();
      }
    },
  });
}

/** Runs every replica to the end (or `hooks` stop) concurrently; returns rank 0's result. */
export async function runReplicas(replicas: readonly Replica[], hooks: RunHooks = {}): Promise<RunResult> {
  const silent: RunHooks = { ...hooks, onStep: undefined, onEpoch: undefined };
  const results = await Promise.all(replicas.map((r, rank) => r.trainer.run(rank === 0 ? hooks : silent)));
  const first = results[0];
  if (first === undefined) {
    throw new Error('no replicas');
  }
  return first;
}

/** Runs `steps` steps on every replica in lockstep. */
export async function stepReplicas(replicas: readonly Replica[], steps: number): Promise<void> {
  for (let i = 0; i < steps; i += 1) {
    await Promise.all(replicas.map((r) => r.trainer.trainStep()));
  }
}

/** All weights of a model as one flat array (model.getWeights order). */
export async function flatWeights(model: tfl.LayersModel): Promise<Float32Array> {
  const parts = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
