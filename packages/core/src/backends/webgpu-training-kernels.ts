import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { webgpuConv2D, webgpuFusedConv2D } from './webgpu-conv2d.ts';
import { webgpuConv2DBackpropFilter } from './webgpu-conv2d-filter-grad.ts';
import { webgpuConv2DBackpropInput } from './webgpu-conv2d-input-grad.ts';
import { webgpuBatchMatMul, webgpuFusedMatMul } from './webgpu-matmul.ts';
import { tiledMaxPoolGrad } from './webgpu-max-pool-grad.ts';
import { contiguousSum } from './webgpu-sum.ts';
import { shapeKey } from './kernel-profile.ts';
import { webgpuOptimizerKernels } from './webgpu-optimizer-kernels.ts';

/**
 * Tessera's WGSL kernels for the `webgpu` backend of @tensorflow/tfjs-backend-webgpu 4.22, registered over the
 * package's own where they are faster for training (each handles the cases it was built for and hands the rest to the
 * package's kernel). Every one is tested against the cpu backend to 1e-4 on SwiftShader (webgpu-*.test.ts).
 * Also registers the fused optimizer update (webgpu-optimizer-kernels.ts). Call after the webgpu backend module is
 * imported; calling again changes nothing. Returns the kernels it registered.
 */
export function registerWebgpuTrainingKernels(): readonly string[] {
  const registered: string[] = [];
  for (const [kernelName, make] of overrides) {
    const current = tf.getKernel(kernelName, 'webgpu');
    if (current !== undefined && ours.has(current.kernelFunc)) {
      registered.push(kernelName);
      continue;
    }
    const kernelFunc = withStockShapes(kernelName, make(current?.kernelFunc), current?.kernelFunc);
    ours.add(kernelFunc);
    if (current !== undefined) {
      stock.set(kernelName, current);
      tf.unregisterKernel(kernelName, 'webgpu');
    }
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc } satisfies KernelConfig);
    registered.push(kernelName);
  }
  // Kernels of Tessera's own ops (the fused optimizer update): the package has no counterpart.
  for (const config of webgpuOptimizerKernels) {
    if (tf.getKernel(config.kernelName, 'webgpu') === undefined) tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/**
 * Puts the package's own kernels back (benchmarks compare both in one process; webgpu-kernel-choice.ts keeps those
 * that measured faster): all of them, or only those `names` lists. The fused optimizer kernels stay, as they replace
 * nothing. registerWebgpuTrainingKernels() registers Tessera's again.
 */
export function restoreStockWebgpuKernels(names?: readonly string[]): void {
  const only = names === undefined ? undefined : new Set(names);
  for (const [kernelName, config] of stock) {
    if (only !== undefined && !only.has(kernelName)) continue;
    const current = tf.getKernel(kernelName, 'webgpu');
    if (current === undefined || !ours.has(current.kernelFunc)) continue;
    tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel(config);
  }
}

/** The package's kernels that registerWebgpuTrainingKernels() replaces with Tessera's, in registration order. */
export function webgpuKernelOverrides(): readonly string[] {
  return overrides.map(([kernelName]) => kernelName);
}

/**
 * Hands the calls of Tessera's `kernelName` with these input shapes (kernel-profile.ts `shapeKey`) to the package's
 * own kernel, the rest staying Tessera's: a measured kernel choice (webgpu-kernel-choice.ts) does this layer shape by
 * layer shape where stock was faster on the device. Replaces the kernel's earlier list; an empty list undoes it.
 */
export function setStockShapes(kernelName: string, keys: readonly string[]): void {
  if (keys.length === 0) stockShapes.delete(kernelName);
  else stockShapes.set(kernelName, new Set(keys));
}

/** The shapes setStockShapes handed to stock, per kernel (for logs and tests). */
export function stockShapesOf(kernelName: string): readonly string[] {
  return [...(stockShapes.get(kernelName) ?? [])];
}

/** Every call of Tessera's kernels back on Tessera's (the state before any measured choice). */
export function resetStockShapes(): void {
  stockShapes.clear();
}

const stockShapes = new Map<string, ReadonlySet<string>>();

// The shape lookup costs a JSON string of the input shapes, only for kernels that have shapes handed to stock.
function withStockShapes(kernelName: string, tessera: KernelFunc, stockFunc: KernelFunc | undefined): KernelFunc {
  if (stockFunc === undefined) return tessera;
  return (args) => {
    const keys = stockShapes.get(kernelName);
    return keys !== undefined && keys.has(shapeKey(args.inputs)) ? stockFunc(args) : tessera(args);
  };
}

const ours = new WeakSet<KernelFunc>();
const stock = new Map<string, KernelConfig>();

const overrides: ReadonlyArray<readonly [string, (stock: KernelFunc | undefined) => KernelFunc]> = [
  [tf.Conv2DBackpropFilter, webgpuConv2DBackpropFilter],
  [tf.Sum, contiguousSum],
  [tf.MaxPoolGrad, tiledMaxPoolGrad],
  [tf.BatchMatMul, (stock) => webgpuBatchMatMul(stock)],
  [tf._FusedMatMul, (stock) => webgpuFusedMatMul(stock)],
  [tf.Conv2D, (stock) => webgpuConv2D(stock)],
  [tf.FusedConv2D, (stock) => webgpuFusedConv2D(stock)],
  [tf.Conv2DBackpropInput, (stock) => webgpuConv2DBackpropInput(stock)],
];
