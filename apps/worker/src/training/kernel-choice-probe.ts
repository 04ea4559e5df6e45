import type * as tf from '@tensorflow/tfjs-core';
import { describeKernelChoices, type KernelChoiceOutcome } from '@tessera/core/backends/kernel-choice';
import type { Logger } from '@tessera/core/logging/logger';
import type { FirstGradientsHook } from '@tessera/core/training/synchronous-update';
import type { ReportFn } from '../agent/worker-agent.ts';

/** Races the kernels on a gradient computation and keeps the faster of each (webgpu-kernel-choice.ts); tests fake it. */
export type KernelChooser = (gradients: () => tf.TensorContainer) => Promise<KernelChoiceOutcome>;

const chooseOnDevice: KernelChooser = async (gradients) => {
  // Imported on use: the kernels import tfjs-backend-webgpu, which must load after the backend is activated.
  const { chooseWebgpuKernels } = await import('@tessera/core/backends/webgpu-kernel-choice');
  return chooseWebgpuKernels(gradients);
};

export interface KernelChoiceProbeOptions {
  /** The worker's device string, for the event line. */
  readonly device: string;
  readonly rank: number;
  readonly log: Logger;
  readonly report: ReportFn;
  readonly choose?: KernelChooser;
}

/**
 * The trainers' first-gradients hook on a webgpu worker that measures its kernels (TESSERA_WEBGPU_KERNEL_CHOICE
 * unset on a GPU, or `measure`): before the first step (of each phase), the step's gradients run with Tessera's
 * kernels and with tfjs' own (no weight update), the faster of each kernel stays registered, and one line says what
 * was measured, in the job's events and the worker's log. Costs about 8 profiled gradient computations, shader
 * compiles of both variants included. A failed measurement keeps Tessera's kernels, says why, and the job goes on.
 */
export function kernelChoiceProbe(options: KernelChoiceProbeOptions): FirstGradientsHook {
  const choose = options.choose ?? chooseOnDevice;
  return async (gradients) => {
    let line: string;
    try {
      const outcome = await choose(gradients);
      line = `kernels measured on ${options.device}: ${describeKernelChoices(outcome)}`;
      options.log.info('webgpu kernel choice', { device: options.device, timing: outcome.timing, choices: outcome.choices });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      line = `kernel measurement failed on ${options.device} (Tessera's kernels kept): ${reason}`;
      options.log.warn('webgpu kernel choice failed', { device: options.device, err: reason });
    }
    await options.report({ info: `rank ${options.rank} ${line}` });
  };
}
