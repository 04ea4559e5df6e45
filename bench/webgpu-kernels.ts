/**
 * Tessera's WGSL kernels against tfjs-backend-webgpu's own, one kernel at a time at VGG16's shapes, in one process:
 * first a small VGG's loss and gradients against the cpu backend (correctness on this device), then each kernel's
 * median time, stock and Tessera's. Writes bench/results/webgpu-kernels.json (BENCH_RESULTS overrides).
 * `pnpm bench:gpu` runs the same on a GPU machine as part of its run.
 *
 *   pnpm bench:webgpu-kernels     BENCH_BATCH (2), BENCH_IMAGE_SIZE (56), BENCH_REPS (3); TESSERA_GPU as for the worker.
 *
 * Without a GPU, run it on SwiftShader: VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json. Its times then
 * come from a CPU emulating a GPU: they show how much work each kernel does, not how a GPU runs it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { compareTrainingGradients } from '@tessera/core/backends/gradient-check';
import { backendOptionsFromEnv } from '@tessera/worker/backends/backend-options';
import { selectBackend } from '@tessera/worker/backends/select-backend';
import { timeWebgpuKernels } from './gpu/kernel-timings.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const positive = (name: string, fallback: number): number => {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got "${raw}"`);
  return value;
};

const batch = positive('BENCH_BATCH', 2);
const side = positive('BENCH_IMAGE_SIZE', 56);
const reps = positive('BENCH_REPS', 3);
if (side % 8 !== 0) throw new RangeError(`BENCH_IMAGE_SIZE must be a multiple of 8, got ${side}`);
const started = new Date();
const selection = await selectBackend('webgpu', { ...backendOptionsFromEnv(process.env, []), log: (line) => log(`backend: ${line}`) });
log(`bench:webgpu-kernels on ${selection.device}; batch ${batch}, ${side}x${side}, ${reps} timed runs each`);
const kernels = await import('@tessera/core/backends/webgpu-training-kernels');
await import('@tensorflow/tfjs-backend-cpu');
const gradientCheck = await compareTrainingGradients('cpu', 'webgpu');
log(`gradient check against cpu: worst relative error ${gradientCheck.worstRelativeError.toExponential(2)}`);
const timings = await timeWebgpuKernels(kernels, batch, side, reps, log);
const result = {
  measuredAt: started.toISOString(),
  device: selection.device,
  software: selection.device.includes('[software adapter'),
  sizes: { batch, imageSize: side, reps },
  gradientCheck,
  timings,
  machine: { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), node: process.version, tfjs: tf.version_core, loadAverage1mAtStart: Number(os.loadavg()[0]!.toFixed(2)) },
};
const out = process.env.BENCH_RESULTS?.trim() || path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'webgpu-kernels.json');
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
log(`bench:webgpu-kernels: wrote ${out}`);
// Dawn's device would keep the process alive.
process.exit(0);
