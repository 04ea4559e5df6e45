import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Kernels composed of other wasm kernels, the way tfjs' own composite kernels are written: inputs and outputs are
 * TensorInfo handles owned by the backend, so every intermediate must be released by hand ({@link KernelScope}).
 */

/** The backend methods a composite kernel uses. */
export interface WasmKernelBackend {
  disposeData(dataId: object): boolean;
}

/** The wasm backend's heap and the methods that place tensors on it, for kernels that read and write the heap in JavaScript. */
export interface WasmHeapBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  wasm: { HEAPF32: Float32Array; HEAP32: Int32Array; HEAPU8: Uint8Array };
}

/**
 * Where a tensor's data starts on the heap, in 4-byte elements (an index into HEAPF32 or HEAP32). Take heap views
 * only after the kernel's last makeOutput: an allocation may grow the wasm memory, which detaches older views.
 */
export function heapIndex(backend: WasmHeapBackend, info: TensorInfo): number {
  return heapByteOffset(backend, info) >>> 2;
}

/** Where a tensor's data starts on the heap, in bytes (an index into HEAPU8). */
export function heapByteOffset(backend: WasmHeapBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/**
 * The heap as elements of `dtype` for kernels that move values without reading them: bytes for bool, 32-bit words
 * for float32 and int32 (exact for both, NaN payloads included), with each tensor's start in those elements. Take it
 * after the kernel's last makeOutput (see {@link heapIndex}).
 */
export function heapElements(backend: WasmHeapBackend, dtype: string): { heap: Int32Array | Uint8Array; start: (info: TensorInfo) => number } {
  if (dtype === 'bool') return { heap: backend.wasm.HEAPU8, start: (info) => heapByteOffset(backend, info) };
  return { heap: backend.wasm.HEAP32, start: (info) => heapIndex(backend, info) };
}

/**
 * Runs a kernel registered for `wasm` (the current registration: a kernel this module overrides runs its override).
 * Throws naming the kernel when the wasm backend is not loaded.
 */
export function runWasmKernel(name: string, backend: unknown, inputs: NamedTensorInfoMap, attrs: object = {}, backendName = 'wasm'): TensorInfo {
  const kernel = tf.getKernel(name, backendName);
  if (kernel === undefined) throw new Error(`${backendName} kernel ${name} is not registered (is @tensorflow/tfjs-backend-${backendName} loaded?)`);
  return kernel.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/**
 * Tracks a composite kernel's intermediates and releases them: every TensorInfo a kernel call returns holds one
 * reference on the backend (a Reshape returns its input's data with the count raised), so each is released exactly
 * once: `release` as soon as it is used up (bounds peak memory inside loops), `dispose` the rest in a `finally`,
 * `detach` the one handed back as the kernel's output.
 */
export class KernelScope {
  private readonly held = new Set<TensorInfo>();

  constructor(
    readonly backend: unknown,
    readonly backendName = 'wasm',
  ) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const info = runWasmKernel(name, this.backend, inputs, attrs, this.backendName);
    this.held.add(info);
    return info;
  }

  /** Tracks the output of a kernel called directly (not through {@link run}). */
  keepResult(info: TensorInfo): TensorInfo {
    this.held.add(info);
    return info;
  }

  /** Hands `info` to the caller (the kernel's output): it is no longer released by {@link dispose}. */
  detach(info: TensorInfo): TensorInfo {
    this.held.delete(info);
    return info;
  }

  /**
   * `total` and `part` combined by a binary kernel (`Add`, `Maximum`), both released: folds per-chunk or per-tap
   * results into one without holding more than two at a time. The first part (total undefined) is returned as is.
   */
  fold(kernel: string, total: TensorInfo | undefined, part: TensorInfo): TensorInfo {
    if (total === undefined) return part;
    const next = this.run(kernel, { a: total, b: part });
    this.release(total);
    this.release(part);
    return next;
  }

  release(info: TensorInfo): void {
    if (this.held.delete(info)) (this.backend as WasmKernelBackend).disposeData(info.dataId);
  }

  dispose(): void {
    for (const info of [...this.held]) this.release(info);
  }
}
