/**
 * Tessera's wasm kernels (packages/core/src/backends/wasm-training-kernels.ts) against @tensorflow/tfjs-backend-wasm's
 * own, in one run, on the segmentation workloads: a training step of the 3D U-Net the dashboard's 3D template trains
 * (32³ patches, depth 3, 8 filters, batch 4), of the 2D U-Net bench:lung-seg trains (128x128, depth 4, 16 filters,
 * batch 8) and of that U-Net with batch normalisation and nearest upsampling, all with Adam on BCE + Dice, and single
 * kernels at the 3D U-Net's full-resolution shapes. Two configurations, each in a fresh child process, in interleaved
 * rounds (package, tessera, package, tessera, ...) so that load from elsewhere hits both alike; figures are medians
 * over rounds, ratios tessera ÷ package.
 *
 * "package" puts the package's kernel back for every kernel Tessera registers over one, except the two training
 * cannot do without: Conv2DBackpropFilter (the package has none) and Conv3DBackpropInputV2 (the package's returns
 * wrong values). Its MaxPool3D is the package's too, which pools windows of values ≤ 0 to 1.18e-38 (see
 * wasm-max-pool-3d.ts): its figures are the package's speed, not a correct run. Both use all cores (threaded build).
 * Writes bench/results/wasm-kernels.json (BENCH_RESULTS overrides the path).
 *
 *   pnpm bench:wasm-kernels     BENCH_ROUNDS (3), BENCH_STEPS (2 timed steps per model and round), TESSERA_WASM_THREADS
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradient functions (the core package alone has none registered under Node's resolver).
import '@tensorflow/tfjs-layers';
import { buildUNet2d } from '@tessera/core/models/unet2d';
import { buildUNet3d } from '@tessera/core/models/unet3d';
import { bceDiceLossSum } from '@tessera/core/training/segmentation-loss';
import { selectBackend } from '@tessera/worker/backends/select-backend';

type Kernels = 'package' | 'tessera';
interface Sample {
  device: string;
  /** The kernels the package's configuration put back (empty for tessera's). */
  packageKernels: string[];
  unet3dPatchesPerSec: number;
  unet2dImagesPerSec: number;
  /** The same 2D U-Net with batch normalisation and nearest-neighbour upsampling (the launch form's options). */
  unet2dBatchNormImagesPerSec: number;
  /** Median milliseconds per call. */
  kernelMs: Record<string, number>;
}

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got "${raw}"`);
  return value;
};
const rounds = positive('BENCH_ROUNDS', 3);
const steps = positive('BENCH_STEPS', 2);
const threads = positive('TESSERA_WASM_THREADS', Math.max(1, os.availableParallelism()));
/** Kept as Tessera's in both configurations: training needs them (see the header). */
const alwaysTessera = new Set(['Conv2DBackpropFilter', 'Conv3DBackpropInputV2']);

const unet3d = { patch: 32, depth: 3, baseFilters: 8, batch: 4 };
const unet2d = { side: 128, depth: 4, baseFilters: 16, batch: 8 };

async function measure(kernels: Kernels): Promise<Sample> {
  // The package registers its kernels on import; selectBackend then registers Tessera's over some of them.
  await import('@tensorflow/tfjs-backend-wasm');
  const packageConfigs = new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k]));
  const selection = await selectBackend('wasm', { wasmThreads: threads });
  const putBack: string[] = [];
  if (kernels === 'package') {
    for (const current of tf.getKernelsForBackend('wasm')) {
      const original = packageConfigs.get(current.kernelName);
      if (original === undefined || original.kernelFunc === current.kernelFunc || alwaysTessera.has(current.kernelName)) continue;
      tf.unregisterKernel(current.kernelName, 'wasm');
      tf.registerKernel(original);
      putBack.push(current.kernelName);
    }
  }
  const patchesPerSec = await segmentationStep(
    buildUNet3d({ inputShape: [unet3d.patch, unet3d.patch, unet3d.patch, 1], depth: unet3d.depth, baseFilters: unet3d.baseFilters, seed: 1 }),
    [unet3d.batch, unet3d.patch, unet3d.patch, unet3d.patch, 1],
  );
  const imagesPerSec = await segmentationStep(
    buildUNet2d({ inputShape: [unet2d.side, unet2d.side, 1], depth: unet2d.depth, baseFilters: unet2d.baseFilters, seed: 1 }),
    [unet2d.batch, unet2d.side, unet2d.side, 1],
  );
  const batchNormImagesPerSec = await segmentationStep(
    buildUNet2d({ inputShape: [unet2d.side, unet2d.side, 1], depth: unet2d.depth, baseFilters: unet2d.baseFilters, batchNorm: true, upsampling: 'nearest', seed: 1 }),
    [unet2d.batch, unet2d.side, unet2d.side, 1],
  );
  return {
    device: selection.device,
    packageKernels: putBack.sort(),
    unet3dPatchesPerSec: patchesPerSec,
    unet2dImagesPerSec: imagesPerSec,
    unet2dBatchNormImagesPerSec: batchNormImagesPerSec,
    kernelMs: await kernelTimes(),
  };
}

/** Samples per second of one Adam step on BCE + Dice (after one warm-up step), the median of BENCH_STEPS. */
async function segmentationStep(model: { apply: (x: tf.Tensor, args: { training: boolean }) => unknown; dispose: () => unknown }, shape: number[]): Promise<number> {
  const x = tf.randomUniform(shape, 0, 1, 'float32', 7);
  const masks = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(shape, 0, 1, 'float32', 8), 0.5), 'float32'));
  const optimizer = tf.train.adam(0.001);
  const batch = shape[0]!;
  const loss = (): tf.Scalar => tf.div(bceDiceLossSum(model.apply(x, { training: true }) as tf.Tensor, masks, { crossEntropyWeight: 0.1 }), batch);
  const times = await timeMs(steps, () => optimizer.minimize(loss, true)!);
  tf.dispose([x, masks]);
  optimizer.dispose();
  model.dispose();
  return batch / (median(times) / 1000);
}

/** Single kernels at the 3D U-Net's full-resolution shapes (batch 4, 32³, 8 channels; 16 where a skip is joined). */
async function kernelTimes(): Promise<Record<string, number>> {
  const [b, s, c] = [unet3d.batch, unet3d.patch, unet3d.baseFilters];
  const x = tf.randomUniform<tf.Rank.R5>([b, s, s, s, c], -1, 1, 'float32', 1);
  const joined = tf.randomUniform<tf.Rank.R5>([b, s, s, s, 2 * c], -1, 1, 'float32', 2);
  const filter = tf.randomUniform<tf.Rank.R5>([3, 3, 3, c, c], -1, 1, 'float32', 3);
  const dy = tf.randomUniform<tf.Rank.R5>([b, s, s, s, c], -1, 1, 'float32', 4);
  const cases: Record<string, () => tf.Tensor | tf.Tensor[]> = {
    'Conv3D 3x3x3 8->8': () => tf.conv3d(x, filter, 1, 'same'),
    'Conv3DBackpropFilterV2 3x3x3 8->8': () => tf.engine().runKernel<tf.Tensor>('Conv3DBackpropFilterV2', { x, dy }, { strides: 1, pad: 'same', filterShape: [3, 3, 3, c, c] }),
    'MaxPool3D 2x2x2/2': () => tf.maxPool3d(x, 2, 2, 'valid'),
    'SplitV 16 -> 8 + 8 channels': () => tf.split(joined, 2, 4),
    'Sum over batch and space (bias gradient)': () => tf.sum(dy, [0, 1, 2, 3]),
  };
  const result: Record<string, number> = {};
  for (const [name, run] of Object.entries(cases)) result[name] = median(await timeMs(5, run));
  tf.dispose([x, joined, filter, dy]);
  return result;
}

/** Wall times of `reps` runs after one warm-up; each run waits for its results to be read back. */
async function timeMs(reps: number, run: () => tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const start = performance.now();
    const out = [run()].flat();
    await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
    if (i > 0) times.push(performance.now() - start);
  }
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(await measure(process.argv[3] as Kernels)));
    return;
  }
  const script = fileURLToPath(import.meta.url);
  const run = promisify(execFile);
  const configs: Kernels[] = ['package', 'tessera'];
  const samples = new Map<Kernels, Sample[]>(configs.map((k) => [k, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const kernels of configs) {
      const { stdout } = await run(process.execPath, [...process.execArgv, script, '--child', kernels], { maxBuffer: 1 << 20 });
      const sample = JSON.parse(stdout.slice(stdout.lastIndexOf('{"device"'))) as Sample;
      samples.get(kernels)!.push(sample);
      const kernelLine = Object.entries(sample.kernelMs)
        .map(([name, ms]) => `${name.split(' ')[0]} ${ms.toFixed(1)}`)
        .join(', ');
      process.stderr.write(
        `round ${round} ${kernels.padEnd(8)} 3D U-Net ${sample.unet3dPatchesPerSec.toFixed(2)} patches/s, 2D U-Net ${sample.unet2dImagesPerSec.toFixed(2)} img/s (batch norm ${sample.unet2dBatchNormImagesPerSec.toFixed(2)}); ms: ${kernelLine}\n`,
      );
    }
  }
  const summary = (kernels: Kernels) => {
    const s = samples.get(kernels)!;
    const kernelNames = Object.keys(s[0]!.kernelMs);
    return {
      device: s[0]!.device,
      packageKernels: s[0]!.packageKernels,
      unet3dPatchesPerSec: median(s.map((x) => x.unet3dPatchesPerSec)),
      unet2dImagesPerSec: median(s.map((x) => x.unet2dImagesPerSec)),
      unet2dBatchNormImagesPerSec: median(s.map((x) => x.unet2dBatchNormImagesPerSec)),
      kernelMs: Object.fromEntries(kernelNames.map((name) => [name, median(s.map((x) => x.kernelMs[name]!))])),
      samples: s.map(({ unet3dPatchesPerSec, unet2dImagesPerSec, unet2dBatchNormImagesPerSec, kernelMs }) => ({
        unet3dPatchesPerSec,
        unet2dImagesPerSec,
        unet2dBatchNormImagesPerSec,
        kernelMs,
      })),
    };
  };
  const pkg = summary('package');
  const tessera = summary('tessera');
  const result = {
    benchmark: 'wasm-kernels',
    measuredAt: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version, tfjs: tf.version_core },
    workload: {
      unet3d: `3D U-Net ${unet3d.patch}³x1 patches, depth ${unet3d.depth}, ${unet3d.baseFilters} filters, batch ${unet3d.batch}, Adam, BCE + Dice`,
      unet2d: `2D U-Net ${unet2d.side}x${unet2d.side}x1, depth ${unet2d.depth}, ${unet2d.baseFilters} filters, batch ${unet2d.batch}, Adam, BCE + Dice`,
      unet2dBatchNorm: 'the same 2D U-Net with batch normalisation and nearest-neighbour upsampling',
      kernels: `at the 3D U-Net's full resolution: batch ${unet3d.batch}, ${unet3d.patch}³, ${unet3d.baseFilters} channels`,
      threads,
    },
    rounds,
    stepsPerRound: steps,
    configs: { package: pkg, tessera },
    // Above 1: Tessera's kernels are faster.
    speedup: {
      unet3dStep: tessera.unet3dPatchesPerSec / pkg.unet3dPatchesPerSec,
      unet2dStep: tessera.unet2dImagesPerSec / pkg.unet2dImagesPerSec,
      unet2dBatchNormStep: tessera.unet2dBatchNormImagesPerSec / pkg.unet2dBatchNormImagesPerSec,
      kernels: Object.fromEntries(Object.keys(pkg.kernelMs).map((name) => [name, pkg.kernelMs[name]! / tessera.kernelMs[name]!])),
    },
  };
  const out = process.env.BENCH_RESULTS ?? path.join(path.dirname(script), 'results', 'wasm-kernels.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(result.speedup, null, 2)}\nwrote ${out}\n`);
}

await main();
