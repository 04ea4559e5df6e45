/**
 * CPU backends compared in one run: wasm on all cores (threaded SIMD build), wasm single-threaded (SIMD) and tfjs'
 * JavaScript cpu backend, on an fp32 matmul and a VGG16 block-2-sized 3x3 convolution (GFLOP/s), and a small
 * VGG-style conv net's SGD training step (img/s, 64x64x3 input, forward + both conv gradients). Each configuration
 * runs in a fresh child process, in interleaved rounds (A B C, A B C, ...) so that load from anything else sharing
 * the machine hits all of them alike; the figures are medians over rounds. A fourth configuration runs one
 * single-threaded wasm process per thread at the same time and sums their figures: what the cores deliver to
 * independent work at that moment, the ceiling for the threaded build (on shared machines the second core is often
 * partly someone else's). Each matmul and conv figure comes as the median repetition's rate and as the fastest's
 * ("peak": the rate when nothing else wanted the cores, which a threaded kernel needs on every core at once).
 * Writes bench/results/cpu.json (BENCH_RESULTS overrides the path).
 *
 *   pnpm bench:cpu        (tsx bench/cpu.ts)        BENCH_ROUNDS=5 BENCH_MATMUL=1024 BENCH_BATCH=8
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
// Also registers tfjs-core's gradient functions (the core package alone has none registered under Node's resolver).
import * as tfl from '@tensorflow/tfjs-layers';
import { buildVgg16 } from '@tessera/core/models/vgg16';
import { selectBackend } from '@tessera/worker/backends/select-backend';
import { cpuSizes } from './gpu/bench-sizes.ts';

interface Config {
  name: string;
  backend: 'wasm' | 'cpu';
  wasmThreads?: number;
  /** Processes run at once, their figures summed (default 1). */
  copies?: number;
}
interface Sample {
  device: string;
  matmulGflops: number;
  convGflops: number;
  /** From the fastest repetition instead of the median: the rate when nothing else wanted the cores. */
  matmulPeakGflops: number;
  convPeakGflops: number;
  trainImgPerSec: number;
  trainBatch: number;
  /** Keras's VGG16 with its top at bench:gpu's CPU-sized input (img/s); training is null on the cpu backend. */
  vgg16TrainImgPerSec: number | null;
  vgg16ForwardImgPerSec: number;
}

const matmulSize = Number(process.env.BENCH_MATMUL ?? 1024);
const batch = Number(process.env.BENCH_BATCH ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const imageSize = 64;

async function measure(config: Config): Promise<Sample> {
  const selection = await selectBackend(config.backend, config.wasmThreads ? { wasmThreads: config.wasmThreads } : {});
  const slow = config.backend === 'cpu';

  const a = tf.randomUniform([matmulSize, matmulSize], -1, 1, 'float32', 1);
  const b = tf.randomUniform([matmulSize, matmulSize], -1, 1, 'float32', 2);
  const matmulMs = await timeMs(slow ? 1 : 15, () => tf.tidy(() => tf.matMul(a, b)));
  tf.dispose([a, b]);

  // A 3x3 'same' convolution at VGG16 block 2's width (128 channels in and out), on a CPU-sized 56x56 input.
  const convShape = { batch: slow ? 1 : 4, side: 56, channels: 128 };
  const image = tf.randomUniform<tf.Rank.R4>([convShape.batch, convShape.side, convShape.side, convShape.channels], -1, 1, 'float32', 3);
  const kernel = tf.randomUniform<tf.Rank.R4>([3, 3, convShape.channels, convShape.channels], -1, 1, 'float32', 4);
  const convMs = await timeMs(slow ? 1 : 15, () => tf.tidy(() => tf.conv2d(image, kernel, 1, 'same')));
  tf.dispose([image, kernel]);
  const convFlops = 2 * convShape.batch * convShape.side ** 2 * 9 * convShape.channels ** 2;

  // The JavaScript backend takes about a minute per batch-8 step here: it trains on a smaller batch (img/s barely
  // depends on batch size for conv layers this wide) so that its part of a round stays under a minute.
  const stepBatch = slow ? Math.max(1, batch >> 2) : batch;
  const model = vggStyleNet(stepBatch);
  const stepMs = await timeMs(slow ? 1 : 4, () => model.step());
  model.dispose();

  const vgg16 = await vgg16Figures(slow);
  return {
    device: selection.device,
    matmulGflops: (2 * matmulSize ** 3) / matmulMs.median / 1e6,
    convGflops: convFlops / convMs.median / 1e6,
    matmulPeakGflops: (2 * matmulSize ** 3) / matmulMs.fastest / 1e6,
    convPeakGflops: convFlops / convMs.fastest / 1e6,
    trainImgPerSec: stepBatch / (stepMs.median / 1000),
    trainBatch: stepBatch,
    vgg16TrainImgPerSec: vgg16.trainImgPerSec,
    vgg16ForwardImgPerSec: vgg16.forwardImgPerSec,
  };
}

/**
 * bench:gpu's model figures at its CPU sizes (cpuSizes: 64x64x3, 1000 classes, batch 4): one SGD step on softmax
 * cross-entropy and the inference forward pass. The JavaScript backend's convolution gradients run at about
 * 40 MFLOP/s here (a VGG16 step would take about 90 s an image), so it gives the forward figure only, at batch 1.
 */
async function vgg16Figures(slow: boolean): Promise<{ trainImgPerSec: number | null; forwardImgPerSec: number }> {
  const side = cpuSizes.imageSize;
  const model = buildVgg16({ inputShape: [side, side, 3], classes: cpuSizes.classes, seed: 1 });
  let trainImgPerSec: number | null = null;
  if (!slow) {
    const x = tf.randomUniform<tf.Rank.R4>([cpuSizes.trainBatch, side, side, 3], -1, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: cpuSizes.trainBatch }, (_, i) => (i * 7919) % cpuSizes.classes), 'int32'), cpuSizes.classes);
    const optimizer = tf.train.sgd(0.01);
    const loss = (): tf.Scalar => tf.mean(tfl.metrics.categoricalCrossentropy(labels, model.apply(x, { training: true }) as tf.Tensor));
    const step = await timeMs(2, () => optimizer.minimize(loss, true)!);
    trainImgPerSec = cpuSizes.trainBatch / (step.median / 1000);
    tf.dispose([x, labels]);
    optimizer.dispose();
  }
  const forwardBatch = slow ? 1 : cpuSizes.forwardBatch;
  const input = tf.randomUniform<tf.Rank.R4>([forwardBatch, side, side, 3], -1, 1, 'float32', 6);
  const forward = await timeMs(slow ? 1 : 3, () => tf.tidy(() => model.apply(input, { training: false }) as tf.Tensor));
  input.dispose();
  model.dispose();
  return { trainImgPerSec, forwardImgPerSec: forwardBatch / (forward.median / 1000) };
}

/** Median and fastest wall time of `reps` runs after one warm-up; each run waits for its result to be read back. */
async function timeMs(reps: number, run: () => tf.Tensor): Promise<{ median: number; fastest: number }> {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const start = performance.now();
    const out = run();
    await out.data();
    out.dispose();
    if (i > 0) times.push(performance.now() - start);
  }
  return { median: median(times), fastest: Math.min(...times) };
}

/** conv3x3(16)x2-pool, conv3x3(32)x2-pool, conv3x3(64)x2-pool, dense(10); SGD on softmax cross-entropy. */
function vggStyleNet(batch: number): { step: () => tf.Tensor; dispose: () => void } {
  const widths = [3, 16, 16, 32, 32, 64, 64];
  const filters = widths.slice(1).map((out, i) => tf.variable(tf.randomNormal([3, 3, widths[i]!, out], 0, Math.sqrt(2 / (9 * widths[i]!)), 'float32', i)));
  const dense = tf.variable(tf.randomNormal([(imageSize / 8) ** 2 * 64, 10], 0, 0.01, 'float32', 99));
  const x = tf.randomUniform<tf.Rank.R4>([batch, imageSize, imageSize, 3], 0, 1, 'float32', 7);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const optimizer = tf.train.sgd(0.01);
  const forward = (): tf.Scalar => {
    let h: tf.Tensor4D = x;
    filters.forEach((w, i) => {
      h = tf.relu(tf.conv2d(h, w as tf.Tensor4D, 1, 'same'));
      if (i % 2 === 1) h = tf.maxPool(h, 2, 2, 'valid');
    });
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.reshape(h, [batch, -1]), dense));
  };
  return {
    step: () => optimizer.minimize(forward, true)!,
    dispose: () => {
      tf.dispose([...filters, dense, x, labels]);
      optimizer.dispose();
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The figures summarized, under the names the ratios use. */
const metrics = {
  matmul: 'matmulGflops',
  conv: 'convGflops',
  matmulPeak: 'matmulPeakGflops',
  convPeak: 'convPeakGflops',
  trainStep: 'trainImgPerSec',
  vgg16Train: 'vgg16TrainImgPerSec',
  vgg16Forward: 'vgg16ForwardImgPerSec',
} as const satisfies Record<string, keyof Sample>;
type Metric = (typeof metrics)[keyof typeof metrics];

/** Processes run at once: their rates add up. */
function sumOfCopies(copies: Sample[]): Sample {
  const total = (key: Metric) => (copies.some((c) => c[key] === null) ? null : copies.reduce((sum, c) => sum + c[key]!, 0));
  return {
    device: `${copies.length} processes at once, each ${copies[0]!.device}`,
    matmulGflops: total('matmulGflops')!,
    convGflops: total('convGflops')!,
    matmulPeakGflops: total('matmulPeakGflops')!,
    convPeakGflops: total('convPeakGflops')!,
    trainImgPerSec: total('trainImgPerSec')!,
    trainBatch: copies[0]!.trainBatch,
    vgg16TrainImgPerSec: total('vgg16TrainImgPerSec'),
    vgg16ForwardImgPerSec: total('vgg16ForwardImgPerSec')!,
  };
}

async function main(): Promise<void> {
  const childConfig = process.argv[2] === '--child' ? (JSON.parse(process.argv[3]!) as Config) : undefined;
  if (childConfig) {
    process.stdout.write(JSON.stringify(await measure(childConfig)));
    return;
  }
  const threads = Math.max(2, Math.min(8, os.availableParallelism()));
  const threaded = `wasm-${threads}-threads`;
  const single = 'wasm-1-thread';
  const cpu = 'cpu';
  const parallel = `${threads}x-wasm-1-thread`;
  const configs: Config[] = [
    { name: threaded, backend: 'wasm', wasmThreads: threads },
    { name: single, backend: 'wasm', wasmThreads: 1 },
    { name: cpu, backend: 'cpu' },
    { name: parallel, backend: 'wasm', wasmThreads: 1, copies: threads },
  ];
  const samples = new Map<string, Sample[]>(configs.map((c) => [c.name, []]));
  const script = fileURLToPath(import.meta.url);
  const run = promisify(execFile);
  for (let round = 1; round <= rounds; round++) {
    for (const config of configs) {
      const copies = await Promise.all(
        Array.from({ length: config.copies ?? 1 }, async () => {
          const { stdout } = await run(process.execPath, [...process.execArgv, script, '--child', JSON.stringify(config)], {
            maxBuffer: 1 << 20,
          });
          return JSON.parse(stdout.slice(stdout.lastIndexOf('{'))) as Sample;
        }),
      );
      const sample: Sample = copies.length === 1 ? copies[0]! : sumOfCopies(copies);
      samples.get(config.name)!.push(sample);
      console.log(
        `round ${round} ${config.name.padEnd(16)} matmul ${sample.matmulGflops.toFixed(1).padStart(6)} GFLOP/s  conv ${sample.convGflops.toFixed(1).padStart(6)} GFLOP/s  ` +
          `train ${sample.trainImgPerSec.toFixed(2).padStart(7)} img/s  VGG16 train ${sample.vgg16TrainImgPerSec?.toFixed(2) ?? '-'} forward ${sample.vgg16ForwardImgPerSec.toFixed(2)} img/s  (${sample.device})`,
      );
    }
  }
  // A figure one configuration does not give (null: VGG16 training on cpu) has no median and no ratio.
  const medianOrNull = (values: (number | null)[]) => (values.includes(null) ? null : median(values as number[]));
  const medians = new Map(
    configs.map((c) => {
      const s = samples.get(c.name)!;
      return [c.name, Object.fromEntries(Object.values(metrics).map((key) => [key, medianOrNull(s.map((x) => x[key]))])) as Record<Metric, number | null>];
    }),
  );
  const summary = Object.fromEntries(
    configs.map((c) => {
      const s = samples.get(c.name)!;
      const figures = Object.values(metrics).map((key) => [key, { median: medians.get(c.name)![key], samples: s.map((x) => x[key]) }]);
      return [c.name, { device: s[0]!.device, trainBatch: s[0]!.trainBatch, ...Object.fromEntries(figures) }];
    }),
  );
  const eachMetric = (f: (key: Metric) => number | null) => Object.fromEntries(Object.entries(metrics).map(([label, key]) => [label, f(key)]));
  const divide = (p: number | null, q: number | null) => (p === null || q === null ? null : p / q);
  const ratio = (p: string, q: string) => eachMetric((key) => divide(medians.get(p)![key], medians.get(q)![key]));
  const pairedRatio = (p: string, q: string) =>
    eachMetric((key) => medianOrNull(samples.get(p)!.map((sample, i) => divide(sample[key], samples.get(q)![i]![key]))));
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version, tfjs: tf.version_core },
    workload: {
      matmul: `${matmulSize}x${matmulSize} fp32`,
      conv: '3x3 same, 128 -> 128 channels, 56x56, batch 4 (batch 1 on cpu)',
      trainStep: `VGG-style 6 conv + dense, batch ${batch}, ${imageSize}x${imageSize}x3, SGD`,
      vgg16: `Keras VGG16 with top (${cpuSizes.classes} classes), ${cpuSizes.imageSize}x${cpuSizes.imageSize}x3, SGD train batch ${cpuSizes.trainBatch}, forward batch ${cpuSizes.forwardBatch} (cpu: forward only, batch 1)`,
    },
    rounds,
    configs: summary,
    // Ratios of the medians over rounds, and (paired) the median over rounds of each round's own ratio: the
    // configurations of one round run back to back, so a burst of load from elsewhere tends to hit both sides.
    ratios: {
      [`${threaded} / ${single}`]: ratio(threaded, single),
      [`${single} / ${cpu}`]: ratio(single, cpu),
      [`${threaded} / ${cpu}`]: ratio(threaded, cpu),
    },
    pairedRatios: {
      [`${threaded} / ${single}`]: pairedRatio(threaded, single),
      // What the cores gave independent processes, and how much of that the threaded build used.
      [`${parallel} / ${single}`]: pairedRatio(parallel, single),
      [`${threaded} / ${parallel}`]: pairedRatio(threaded, parallel),
    },
  };
  const out = process.env.BENCH_RESULTS ?? path.join(path.dirname(script), 'results', 'cpu.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ ratios: result.ratios, pairedRatios: result.pairedRatios }, null, 2));
  console.log(`wrote ${out}`);
}

await main();
