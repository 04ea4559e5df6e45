import type * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '@tessera/core/logging/logger';
import type { FirstGradientsHook } from '@tessera/core/training/synchronous-update';
import type { ReportFn } from '../agent/worker-agent.ts';
import type { WebgpuKernelChoice } from '../backends/webgpu-backend.ts';
import { kernelChoiceProbe, type KernelChooser } from './kernel-choice-probe.ts';

/** Compiles a computation's WebGPU pipelines off the event loop (webgpu-compile-ahead.ts); tests fake it. */
export type AheadCompiler = (step: () => tf.TensorContainer) => Promise<number>;

const compileOnDevice: AheadCompiler = async (step) => {
  // Imported on use: it must not load tfjs' webgpu modules on workers that never activate the backend.
  const { compileWebgpuAhead } = await import('@tessera/core/backends/webgpu-compile-ahead');
  return compileWebgpuAhead(step);
};

export interface WebgpuFirstStepOptions {
  readonly backend: { readonly name: string; readonly device: string; readonly webgpuKernels?: WebgpuKernelChoice | undefined };
  readonly rank: number;
  readonly log: Logger;
  readonly report: ReportFn;
  readonly compile?: AheadCompiler;
  readonly choose?: KernelChooser;
}

/** Compiles a pass's shaders ahead on a webgpu worker: see {@link webgpuCompileAhead}. */
export type CompileAheadHook = (forward: () => tf.TensorContainer) => Promise<void>;

/**
 * For a pass that is not a training step (the frozen base's pass over the images for bottleneck features) on a
 * webgpu worker, undefined elsewhere: its shaders compile off the event loop before it runs, so that the worker keeps
 * answering gRPC keepalives and heartbeats while a large model's pipelines compile. No kernel race: the race runs on
 * training steps and predictions. A failed compile-ahead is logged and the pass compiles its shaders itself, as tfjs
 * would.
 */
export function webgpuCompileAhead(options: Pick<WebgpuFirstStepOptions, 'backend' | 'log' | 'compile'>): CompileAheadHook | undefined {
  if (options.backend.name !== 'webgpu') return undefined;
  const compile = options.compile ?? compileOnDevice;
  return async (step) => {
    const started = performance.now();
    try {
      const pipelines = await compile(step);
      options.log.info('webgpu pipelines compiled ahead', { pipelines, ms: Math.round(performance.now() - started) });
    } catch (cause) {
      options.log.warn('webgpu compile-ahead failed; the pass compiles its shaders itself', { err: cause instanceof Error ? cause.message : String(cause) });
    }
  };
}

/**
 * The trainers' first-gradients hook on a webgpu worker (none elsewhere; image and segmentation predictions get it
 * for their first forward pass): first the step's shaders are compiled ahead ({@link webgpuCompileAhead}); then, if
 * this worker measures its kernels, the race of kernelChoiceProbe.
 */
export function webgpuFirstStep(options: WebgpuFirstStepOptions): FirstGradientsHook | undefined {
  const compileAhead = webgpuCompileAhead(options);
  if (compileAhead === undefined) return undefined;
  const probe =
    options.backend.webgpuKernels === 'measure'
      ? kernelChoiceProbe({ device: options.backend.device, rank: options.rank, log: options.log, report: options.report, choose: options.choose })
      : undefined;
  return async (gradients) => {
    await compileAhead(gradients);
    await probe?.(gradients);
  };
}
