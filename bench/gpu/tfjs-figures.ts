import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compareTrainingGradients } from '@tessera/core/backends/gradient-check';
import { buildVgg16 } from '@tessera/core/models/vgg16';
import { applyFusedUpdate, fusedUpdateSupported } from '@tessera/core/training/fused-update';
import type { BenchSizes } from './bench-sizes.ts';
import { timingOf, type TfjsFigures, type Timing } from './gpu-result.ts';
import { describeKernelChoices, type KernelChoiceOutcome } from '@tessera/core/backends/kernel-choice';
import { profileKernels } from '@tessera/core/backends/kernel-profile';
import { timeWebgpuKernels } from './kernel-timings.ts';

/**
 * Measures, on whatever backend tfjs is now set to: an fp32 matmul (GFLOP/s), Keras's VGG16 with its top forward
 * (img/s, inference mode) and one SGD training step on softmax cross-entropy (img/s, forward + backward + update).
 * Each figure is the median of `reps` runs after `warmup` untimed ones; every run ends by reading data back (a
 * one-element slice of the matmul, the predictions, the loss), which waits for the GPU queue to drain.
 */
export async function measureTfjs(
  sizes: BenchSizes,
  selection: { backend: string; device: string; reason: string },
  log: (line: string) => void,
): Promise<TfjsFigures> {
  // Tessera's kernels first checked against the cpu backend on this device (a small VGG's loss and gradients).
  // Then each of them timed against the package's own at VGG16's shapes.
  const webgpuKernels = selection.backend === 'webgpu' ? await import('@tessera/core/backends/webgpu-training-kernels') : undefined;
  let gradientCheck: TfjsFigures['gradientCheck'] = null;
  let kernelTimings: TfjsFigures['kernelTimings'] = null;
  if (webgpuKernels !== undefined) {
    await import('@tensorflow/tfjs-backend-cpu');
    gradientCheck = await compareTrainingGradients('cpu', 'webgpu');
    log(`tfjs: Tessera's webgpu kernels vs cpu on a small VGG: worst relative error ${gradientCheck.worstRelativeError.toExponential(2)}`);
    kernelTimings = await timeWebgpuKernels(webgpuKernels, sizes.trainBatch, sizes.imageSize, sizes.trainReps, log);
  }
  const n = sizes.matmul;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const matmul = await timeRuns(sizes.warmup, sizes.matmulReps, () => tf.tidy(() => tf.slice(tf.matMul(a, b), [0, 0], [1, 1])));
  tf.dispose([a, b]);
  const matmulGflops = (2 * n ** 3) / matmul.medianMs / 1e6;
  log(`tfjs: matmul ${n} fp32: ${matmulGflops.toFixed(1)} GFLOP/s (median ${matmul.medianMs.toFixed(2)} ms)`);

  const side = sizes.imageSize;
  log(`tfjs: building VGG16 (top, ${sizes.classes} classes) at ${side}x${side}x3`);
  const model = buildVgg16({ inputShape: [side, side, 3], classes: sizes.classes, seed: 1 });
  const parameters = model.countParams();
  const trainX = tf.randomUniform<tf.Rank.R4>([sizes.trainBatch, side, side, 3], -1, 1, 'float32', 3);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: sizes.trainBatch }, (_, i) => (i * 7919) % sizes.classes), 'int32'), sizes.classes);
  const loss = (): tf.Scalar => tf.mean(tfl.metrics.categoricalCrossentropy(labels, model.apply(trainX, { training: true }) as tf.Tensor));
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

  // On webgpu, the package's own kernels and tfjs' SGD first (the step as tfjs alone runs it), then the worker's step:
  // Tessera's WGSL kernels and the fused update reading each gradient where it lies (one worker: nothing to reduce).
  let stock: TfjsFigures['stock'] = null;
  if (webgpuKernels !== undefined) {
    webgpuKernels.restoreStockWebgpuKernels();
    const optimizer = tf.train.sgd(0.01);
    const measured = await measureTrainStep('stock tfjs', () => optimizer.minimize(loss, true)!, sizes, log);
    stock = { ...measured, profile: await profileKernels(() => optimizer.minimize(loss, true)!) };
    optimizer.dispose();
    webgpuKernels.registerWebgpuTrainingKernels();
  }
  // As a GPU worker does before its first step: race each of Tessera's kernels against tfjs' own on this step's
  // gradients and keep the faster.
  const kernelChoice =
    webgpuKernels === undefined ? null : await chooseKernels('training step', () => tf.tidy(() => tf.variableGrads(loss, variables)), log);
  const optimizer = tf.train.sgd(0.01);
  const fused = fusedUpdateSupported('sgd');
  const step = fused
    ? (): tf.Tensor => {
        const { value, grads } = tf.tidy(() => tf.variableGrads(loss, variables));
        applyFusedUpdate(optimizer, 'sgd', variables, (i) => ({ tensor: grads[variables[i]!.name]!, offset: 0 }));
        tf.dispose(Object.values(grads));
        return value;
      }
    : (): tf.Tensor => optimizer.minimize(loss, true)!;
  const { firstTrainStepMs, trainStep, trainImgPerSec } = await measureTrainStep(fused ? 'tessera (fused update)' : 'tessera', step, sizes, log);
  const profile = await profileKernels(step);
  for (const k of profile.slice(0, 8)) log(`tfjs: profile ${k.kernel} x${k.count} ${k.totalMs.toFixed(1)} ms ${k.programs.join(',')}`);
  tf.dispose([trainX, labels]);
  optimizer.dispose();

  const forwardX = tf.randomUniform<tf.Rank.R4>([sizes.forwardBatch, side, side, 3], -1, 1, 'float32', 4);
  // Inference runs other kernels (convolutions and dense layers with bias and relu fused): raced on their own shapes.
  const forwardKernelChoice =
    webgpuKernels === undefined ? null : await chooseKernels('forward', () => model.apply(forwardX, { training: false }) as tf.Tensor, log);
  const forward = await timeRuns(sizes.warmup, sizes.forwardReps, () => tf.tidy(() => model.apply(forwardX, { training: false }) as tf.Tensor));
  forwardX.dispose();
  model.dispose();
  const forwardImgPerSec = (sizes.forwardBatch * 1000) / forward.medianMs;
  log(`tfjs: VGG16 forward batch ${sizes.forwardBatch}: ${forwardImgPerSec.toFixed(2)} img/s`);

  return {
    backend: selection.backend,
    device: selection.device,
    selectionReason: selection.reason,
    sizes,
    trainImgPerSec,
    forwardImgPerSec,
    matmulGflops,
    firstTrainStepMs,
    trainStep,
    forward,
    matmul,
    parameters,
    fusedUpdate: fused,
    gradientCheck,
    kernelTimings,
    kernelChoice,
    forwardKernelChoice,
    profile,
    stock,
  };
}

async function chooseKernels(label: string, step: () => tf.TensorContainer, log: (line: string) => void): Promise<KernelChoiceOutcome> {
  const { chooseWebgpuKernels } = await import('@tessera/core/backends/webgpu-kernel-choice');
  const outcome = await chooseWebgpuKernels(step);
  log(`tfjs: kernel choice (${label}): ${describeKernelChoices(outcome)}`);
  return outcome;
}

/** One training step's figures: the first run alone (compilation), then warm-up and the median of timed runs. */
async function measureTrainStep(
  label: string,
  step: () => tf.Tensor,
  sizes: BenchSizes,
  log: (line: string) => void,
): Promise<{ firstTrainStepMs: number; trainStep: Timing; trainImgPerSec: number }> {
  const first = performance.now();
  await readAndDispose(step());
  const firstTrainStepMs = performance.now() - first;
  log(`tfjs: ${label}: first train step ${firstTrainStepMs.toFixed(0)} ms (includes compiling kernels)`);
  const trainStep = await timeRuns(Math.max(0, sizes.warmup - 1), sizes.trainReps, step, (ms) =>
    log(`tfjs: ${label}: train step ${ms.toFixed(0)} ms (${((sizes.trainBatch * 1000) / ms).toFixed(2)} img/s)`),
  );
  const trainImgPerSec = (sizes.trainBatch * 1000) / trainStep.medianMs;
  log(`tfjs: ${label}: VGG16 train batch ${sizes.trainBatch}: ${trainImgPerSec.toFixed(2)} img/s`);
  return { firstTrainStepMs, trainStep, trainImgPerSec };
}

/** `warmup` untimed runs, then the median of `reps` timed ones; each run ends when its result has been read. */
async function timeRuns(warmup: number, reps: number, run: () => tf.Tensor, onRun?: (ms: number) => void): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await readAndDispose(run());
  const samplesMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await readAndDispose(run());
    const ms = performance.now() - start;
    samplesMs.push(ms);
    onRun?.(ms);
  }
  return timingOf(samplesMs);
}

async function readAndDispose(tensor: tf.Tensor): Promise<void> {
  await tensor.data();
  tensor.dispose();
}

