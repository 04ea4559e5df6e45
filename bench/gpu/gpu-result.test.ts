import { describe, expect, it } from 'vitest';
import { cpuSizes, gpuSizes, resolveBenchSizes } from './bench-sizes.ts';
import { buildGpuResult, ratioOf } from './gpu-result.ts';
import type { PytorchFigures, TfjsFigures } from './gpu-result.ts';
import { parsePytorchOutput } from './pytorch-baseline.ts';

const timing = { medianMs: 1, samplesMs: [1] };
const tfjsOn = (backend: string): TfjsFigures => ({
  backend,
  device: `${backend} on test`,
  selectionReason: 'test',
  sizes: gpuSizes,
  trainImgPerSec: 12.8,
  forwardImgPerSec: 443.2,
  matmulGflops: 6010,
  firstTrainStepMs: 1,
  trainStep: timing,
  forward: timing,
  matmul: timing,
  parameters: 138_357_544,
  fusedUpdate: backend === 'webgpu',
  gradientCheck: backend === 'webgpu' ? { worstRelativeError: 2e-7, tensors: 11, referenceNonZero: true } : null,
  kernelTimings: null,
  kernelChoice: null,
  forwardKernelChoice: null,
  profile: [{ kernel: 'Conv2DBackpropFilter', programs: ['TesseraConv2DFilterGradProgram'], count: 13, totalMs: 40 }],
  stock: backend === 'webgpu' ? { firstTrainStepMs: 1, trainStep: timing, trainImgPerSec: 3.2, profile: [] } : null,
});
const scriptOutput = JSON.stringify({
  device: 'NVIDIA H100 80GB HBM3',
  torch: '2.11.0+cu130',
  matmul_fp32_gflops: 51_658,
  parameters: 138_357_544,
  train_fp32_img_s: 440.6,
  forward_fp32_img_s: 1772.6,
  train_tf32_img_s: 1068.8,
  train_bf16_amp_img_s: 1563.1,
  forward_tf32_img_s: 3515.5,
});

describe('gpu.json', () => {
  it('divides tfjs by PyTorch fp32 for the ratios and by TF32 for ratiosVsTf32', () => {
    const result = buildGpuResult(tfjsOn('webgpu'), parsePytorchOutput(`progress\n${scriptOutput}\n`), {}, new Date(0));
    expect(result.ratios.train).toBeCloseTo(12.8 / 440.6, 12);
    expect(result.ratios.forward).toBeCloseTo(443.2 / 1772.6, 12);
    expect(result.ratios.matmul).toBeCloseTo(6010 / 51_658, 12);
    expect(result.ratiosVsTf32.train).toBeCloseTo(12.8 / 1068.8, 12);
    expect(result.ratiosVsTf32.forward).toBeCloseTo(443.2 / 3515.5, 12);
    expect(result.webgpuMeasured).toBe(true);
    expect(result.device).toBe('webgpu on test');
    expect(result.trainSpeedupOverStockTfjs).toBeCloseTo(12.8 / 3.2, 12);
    expect(result.dataParallel).toEqual({ available: false, reason: 'not run' });
    expect(result.dataParallelPerWorkerRatio).toBeNull();
  });

  it('gives the data-parallel run per worker as a fraction of the single process', () => {
    const rank = (r: number) => ({ rank: r, backend: 'webgpu', device: 'gpu', localBatch: 8, step: { medianMs: 1000 + r * 250, samplesMs: [] } });
    const dataParallel = { available: true as const, ranks: [rank(0), rank(1)], globalBatch: 16, totalImgPerSec: 12.8, imgPerSecPerWorker: 6.4, allReduceFloats: 9 };
    const result = buildGpuResult(tfjsOn('webgpu'), { available: false, reason: 'no torch' }, {}, new Date(0), dataParallel);
    expect(result.dataParallel).toBe(dataParallel);
    expect(result.dataParallelPerWorkerRatio).toBeCloseTo(6.4 / 12.8, 12);
  });

  it('does not count WebGPU over a software adapter (SwiftShader) as a GPU measurement', () => {
    const swiftShader = { ...tfjsOn('webgpu'), device: 'webgpu (Dawn) on SwiftShader driver 5.0.0 [software adapter, no GPU]' };
    const result = buildGpuResult(swiftShader, { available: false, reason: 'no torch' }, {}, new Date(0));
    expect(result.webgpuMeasured).toBe(false);
    expect(result.note).toMatch(/software adapter .*the GPU figures are still unmeasured/);
  });

  it('has null ratios and says why when PyTorch is unavailable, and flags figures not from WebGPU', () => {
    const pytorch: PytorchFigures = { available: false, reason: 'no torch' };
    const result = buildGpuResult(tfjsOn('wasm'), pytorch, {}, new Date(0));
    expect(result.ratios).toEqual({ train: null, forward: null, matmul: null });
    expect(result.ratiosVsTf32).toEqual({ train: null, forward: null });
    expect(result.webgpuMeasured).toBe(false);
    expect(result.trainSpeedupOverStockTfjs).toBeNull();
    expect(result.note).toMatch(/wasm.*still unmeasured.*PyTorch unavailable: no torch/);
  });

  it('gives no ratio against a missing, zero or non-finite figure (PyTorch on a CPU has no TF32 figure)', () => {
    expect(ratioOf(1, null)).toBeNull();
    expect(ratioOf(1, 0)).toBeNull();
    expect(ratioOf(Number.NaN, 2)).toBeNull();
    expect(ratioOf(1, Number.POSITIVE_INFINITY)).toBeNull();
    expect(ratioOf(0, 2)).toBe(0);
    const cpuTorch = parsePytorchOutput(JSON.stringify({ ...JSON.parse(scriptOutput), forward_tf32_img_s: null }));
    expect(buildGpuResult(tfjsOn('wasm'), cpuTorch, {}, new Date(0)).ratiosVsTf32.forward).toBeNull();
  });

  it('refuses PyTorch output that lacks a figure', () => {
    const { train_fp32_img_s: _dropped, ...rest } = JSON.parse(scriptOutput) as Record<string, unknown>;
    expect(() => parsePytorchOutput(JSON.stringify(rest))).toThrow(/train_fp32_img_s/);
  });
});

describe('bench sizes', () => {
  it('uses GPU sizes on webgpu, CPU sizes on wasm, and BENCH_* overrides (forward batch follows BENCH_BATCH)', () => {
    expect(resolveBenchSizes({}, 'webgpu')).toEqual(gpuSizes);
    expect(resolveBenchSizes({}, 'wasm')).toEqual(cpuSizes);
    expect(resolveBenchSizes({ BENCH_IMAGE_SIZE: '96', BENCH_BATCH: '8' }, 'wasm')).toMatchObject({ imageSize: 96, trainBatch: 8, forwardBatch: 8 });
    expect(resolveBenchSizes({ BENCH_BATCH: '8', BENCH_FORWARD_BATCH: '32' }, 'webgpu').forwardBatch).toBe(32);
  });

  it('names the variable that is not a usable integer', () => {
    expect(() => resolveBenchSizes({ BENCH_IMAGE_SIZE: '16' }, 'wasm')).toThrow(/BENCH_IMAGE_SIZE must be an integer of at least 32, got "16"/);
    expect(() => resolveBenchSizes({ BENCH_MATMUL: '1k' }, 'webgpu')).toThrow(/BENCH_MATMUL/);
  });
});
