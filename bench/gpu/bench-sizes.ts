/** Input sizes and repetition counts of one `pnpm bench:gpu` run; both frameworks run exactly these. */
export interface BenchSizes {
  /** Side of the square RGB input of VGG16 (Keras's 224 on a GPU). */
  readonly imageSize: number;
  readonly trainBatch: number;
  readonly forwardBatch: number;
  /** Side of the square fp32 matrices multiplied. */
  readonly matmul: number;
  /** Units of VGG16's `predictions` layer (Keras's ImageNet top: 1000). */
  readonly classes: number;
  /** Untimed runs before each measurement (the first compiles shaders or warms caches). */
  readonly warmup: number;
  readonly trainReps: number;
  readonly forwardReps: number;
  readonly matmulReps: number;
}

/**
 * The GPU workload (VGG16 with top at 224x224, batch 16, 4096 matmul), and a CPU-sized one (64x64, batch 4,
 * 1024 matmul) that keeps a whole run on wasm near a minute on two cores instead of hours.
 */
export const gpuSizes: BenchSizes = {
  imageSize: 224,
  trainBatch: 16,
  forwardBatch: 16,
  matmul: 4096,
  classes: 1000,
  warmup: 2,
  trainReps: 5,
  forwardReps: 10,
  matmulReps: 10,
};
export const cpuSizes: BenchSizes = {
  ...gpuSizes,
  imageSize: 64,
  trainBatch: 4,
  forwardBatch: 4,
  matmul: 1024,
  warmup: 1,
  trainReps: 3,
  forwardReps: 5,
  matmulReps: 5,
};

const variables: ReadonlyArray<readonly [keyof BenchSizes, string, number]> = [
  ['imageSize', 'BENCH_IMAGE_SIZE', 32],
  ['trainBatch', 'BENCH_BATCH', 1],
  ['forwardBatch', 'BENCH_FORWARD_BATCH', 1],
  ['matmul', 'BENCH_MATMUL', 1],
  ['classes', 'BENCH_CLASSES', 1],
  ['warmup', 'BENCH_WARMUP', 0],
  ['trainReps', 'BENCH_TRAIN_REPS', 1],
  ['forwardReps', 'BENCH_FORWARD_REPS', 1],
  ['matmulReps', 'BENCH_MATMUL_REPS', 1],
];

/**
 * The sizes for a backend: GPU defaults on `webgpu` and `tensorflow`, CPU defaults on `wasm` and `cpu`, each field
 * overridable by its BENCH_* variable. A variable that is not an integer at or above its minimum is an error naming
 * it (a typo must not silently benchmark something else).
 */
export function resolveBenchSizes(env: Readonly<Record<string, string | undefined>>, backend: string): BenchSizes {
  const sizes: Record<keyof BenchSizes, number> = { ...(backend === 'webgpu' || backend === 'tensorflow' ? gpuSizes : cpuSizes) };
  for (const [field, name, min] of variables) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${name} must be an integer of at least ${min}, got "${raw}"`);
    }
    sizes[field] = value;
  }
  if (env.BENCH_BATCH?.trim() && !env.BENCH_FORWARD_BATCH?.trim()) sizes.forwardBatch = sizes.trainBatch;
  return sizes;
}
