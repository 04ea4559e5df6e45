import type { BenchSizes } from './bench-sizes.ts';
import type { GradientCheck } from '@tessera/core/backends/gradient-check';
import type { KernelTime } from '@tessera/core/backends/kernel-profile';
import type { KernelChoiceOutcome } from '@tessera/core/backends/kernel-choice';
import type { DataParallelFigures } from './data-parallel.ts';
import type { KernelTiming } from './kernel-timings.ts';

/** A median over timed runs, with the runs themselves (milliseconds). */
export interface Timing {
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

/** The {@link Timing} of these runs. */
export function timingOf(samplesMs: readonly number[]): Timing {
  const sorted = [...samplesMs].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, samplesMs };
}

/** What the tfjs side measured, on the backend that selectBackend chose. */
export interface TfjsFigures {
  readonly backend: string;
  /** The device string the worker would register, e.g. `webgpu (Dawn) on NVIDIA H100 ...`. */
  readonly device: string;
  readonly selectionReason: string;
  readonly sizes: BenchSizes;
  readonly trainImgPerSec: number;
  readonly forwardImgPerSec: number;
  readonly matmulGflops: number;
  /** The first training step alone (shader compilation, buffer allocation). */
  readonly firstTrainStepMs: number;
  readonly trainStep: Timing;
  readonly forward: Timing;
  readonly matmul: Timing;
  readonly parameters: number;
  /** Whether the training step applied the fused optimizer update from one packed gradient buffer (webgpu). */
  readonly fusedUpdate: boolean;
  /** On webgpu: Tessera's kernels against the cpu backend on this device, before any timing (gradient-check.ts). */
  readonly gradientCheck: GradientCheck | null;
  /** On webgpu: each kernel Tessera replaces, the package's own vs Tessera's, at this run's VGG16 shapes. */
  readonly kernelTimings: readonly KernelTiming[] | null;
  /**
   * On webgpu: the race of Tessera's kernels against tfjs' own on the training step's gradients (as a GPU worker runs
   * it before its first step) and which of each the timed step then used.
   */
  readonly kernelChoice: KernelChoiceOutcome | null;
  /** The same race on the inference forward pass, before it is timed. */
  readonly forwardKernelChoice: KernelChoiceOutcome | null;
  /** Per-kernel times of one training step as the worker runs it, slowest first. */
  readonly profile: readonly KernelTime[];
  /** On webgpu: the same step on the package's own kernels and tfjs' SGD, measured in the same process. */
  readonly stock: {
    readonly firstTrainStepMs: number;
    readonly trainStep: Timing;
    readonly trainImgPerSec: number;
    readonly profile: readonly KernelTime[];
  } | null;
}

/** PyTorch's figures from pytorch-vgg16-baseline.py in the same run, or why there are none. */
export type PytorchFigures =
  | {
      readonly available: true;
      readonly device: string;
      readonly torch: string;
      readonly matmulFp32Gflops: number;
      readonly trainFp32ImgPerSec: number;
      readonly trainTf32ImgPerSec: number | null;
      readonly trainBf16AmpImgPerSec: number | null;
      readonly forwardFp32ImgPerSec: number;
      readonly forwardTf32ImgPerSec: number | null;
      readonly parameters: number;
    }
  | { readonly available: false; readonly reason: string };

/** tfjs ÷ PyTorch; null where PyTorch has no figure. */
export interface Ratios {
  readonly train: number | null;
  readonly forward: number | null;
  readonly matmul: number | null;
}

/** The data-parallel run (data-parallel.ts), or why there is none. */
export type DataParallelResult = ({ readonly available: true } & DataParallelFigures) | { readonly available: false; readonly reason: string };

export interface GpuResult {
  readonly measuredAt: string;
  readonly device: string;
  readonly backend: string;
  /** Whether the tfjs figures come from WebGPU; false means the GPU figures are still unmeasured. */
  readonly webgpuMeasured: boolean;
  readonly note: string;
  readonly sizes: BenchSizes;
  readonly tfjs: TfjsFigures;
  readonly pytorch: PytorchFigures;
  /** Against PyTorch in strict fp32 (TF32 off), the yardstick: tfjs computes in fp32. */
  readonly ratios: Ratios;
  /** Against PyTorch with TF32 tensor cores on (what a PyTorch user gets by default for convolutions). */
  readonly ratiosVsTf32: Omit<Ratios, 'matmul'>;
  /** The worker's training step (Tessera's kernels, fused update) ÷ tfjs' own on the same device, same run (webgpu). */
  readonly trainSpeedupOverStockTfjs: number | null;
  readonly dataParallel: DataParallelResult;
  /** Data-parallel img/s per worker ÷ the single process's img/s (several workers share one GPU here). */
  readonly dataParallelPerWorkerRatio: number | null;
  readonly machine: Readonly<Record<string, string | number>>;
}

/** `ours / theirs`, or null when either side is missing, not finite or not positive (a ratio to nothing means nothing). */
export function ratioOf(ours: number | null | undefined, theirs: number | null | undefined): number | null {
  if (ours == null || theirs == null || !Number.isFinite(ours) || !Number.isFinite(theirs) || ours < 0 || theirs <= 0) {
    return null;
  }
  return ours / theirs;
}

/** Assembles bench/results/gpu.json from both frameworks' figures; the ratios are tfjs ÷ PyTorch. */
export function buildGpuResult(
  tfjs: TfjsFigures,
  pytorch: PytorchFigures,
  machine: Readonly<Record<string, string | number>>,
  measuredAt: Date,
  dataParallel: DataParallelResult = { available: false, reason: 'not run' },
): GpuResult {
  const torch = pytorch.available ? pytorch : undefined;
  const software = tfjs.device.includes('[software adapter');
  const webgpuMeasured = tfjs.backend === 'webgpu' && !software;
  const notes = [
    webgpuMeasured
      ? `tfjs on WebGPU (${tfjs.device})`
      : software
        ? `tfjs on WebGPU over a software adapter (${tfjs.device}): kernels checked, the GPU figures are still unmeasured`
        : `tfjs on ${tfjs.backend}, not WebGPU: the GPU figures are still unmeasured`,
    pytorch.available ? `PyTorch ${pytorch.torch} on ${pytorch.device} in the same run` : `PyTorch unavailable: ${pytorch.reason}`,
  ];
  return {
    measuredAt: measuredAt.toISOString(),
    device: tfjs.device,
    backend: tfjs.backend,
    webgpuMeasured,
    note: notes.join('; '),
    sizes: tfjs.sizes,
    tfjs,
    pytorch,
    ratios: {
      train: ratioOf(tfjs.trainImgPerSec, torch?.trainFp32ImgPerSec),
      forward: ratioOf(tfjs.forwardImgPerSec, torch?.forwardFp32ImgPerSec),
      matmul: ratioOf(tfjs.matmulGflops, torch?.matmulFp32Gflops),
    },
    ratiosVsTf32: {
      train: ratioOf(tfjs.trainImgPerSec, torch?.trainTf32ImgPerSec),
      forward: ratioOf(tfjs.forwardImgPerSec, torch?.forwardTf32ImgPerSec),
    },
    trainSpeedupOverStockTfjs: ratioOf(tfjs.trainImgPerSec, tfjs.stock?.trainImgPerSec),
    dataParallel,
    dataParallelPerWorkerRatio: dataParallel.available ? ratioOf(dataParallel.imgPerSecPerWorker, tfjs.trainImgPerSec) : null,
    machine,
  };
}
