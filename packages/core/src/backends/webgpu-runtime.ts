import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Starting tfjs' WebGPU backend in Node on Dawn (the `webgpu` npm package), shared by the worker and by the tests
 * that check the custom WGSL kernels against the cpu backend.
 *
 * On a machine without a GPU, Dawn can run on a software Vulkan device: Google's SwiftShader, which Debian's Chromium
 * ships beside its binary (`/usr/lib/chromium/vk_swiftshader_icd.json`), and which Dawn's own test suite uses. Debian's
 * lavapipe does not work (Dawn needs `shaderUniformArrayDynamicIndexing`, which lavapipe lacks). Pointing the Vulkan
 * loader at SwiftShader (VK_DRIVER_FILES) is what lets every WebGPU kernel be tested on a CPU-only machine; its speed
 * says nothing about a GPU's.
 */

/** Where SwiftShader's Vulkan ICD manifest is found, first match wins (TESSERA_SWIFTSHADER_ICD overrides). */
export const swiftShaderIcdCandidates: readonly string[] = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

export function findSwiftShaderIcd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.TESSERA_SWIFTSHADER_ICD?.trim();
  if (override) return existsSync(override) ? override : undefined;
  return swiftShaderIcdCandidates.find((path) => existsSync(path));
}

/** What the `webgpu` package (Dawn's Node bindings) exports that Tessera uses. */
export interface DawnModule {
  create: (flags: string[]) => GpuLike;
  globals: Record<string, unknown>;
}
export interface GpuLike {
  requestAdapter: (options?: object) => Promise<GpuAdapterLike | null>;
}
export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
  isFallbackAdapter?: boolean;
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
}

/** The adapter's name, and whether it is a software rasteriser (SwiftShader, llvmpipe/lavapipe) rather than a GPU. */
export function describeAdapter(adapter: GpuAdapterLike, info: GpuAdapterInfoLike): { name: string; software: boolean } {
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
  const software = adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software/.test(text);
  return { name, software };
}

/**
 * Publishes Dawn's WebGPU globals (navigator.gpu, GPUBufferUsage, ...) for tfjs-backend-webgpu. They must be in place
 * before that package is first imported: it decides at import time whether WebGPU exists.
 */
export function installWebgpuGlobals(dawn: DawnModule, gpu: GpuLike): void {
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

export interface SoftwareWebgpu {
  readonly adapter: string;
}

let started: Promise<SoftwareWebgpu> | undefined;

/**
 * For tests: makes the `webgpu` tfjs backend available in this process on SwiftShader (or on a real GPU when the
 * Vulkan loader already finds one and no SwiftShader is installed), and makes it the current backend. Rejects with
 * the reason when it cannot: the tests that need it fail rather than skip. Modules that import
 * @tensorflow/tfjs-backend-webgpu must be imported (dynamically) after it resolves.
 */
export function startTestWebgpu(): Promise<SoftwareWebgpu> {
  started ??= (async () => {
    const icd = findSwiftShaderIcd();
    if (icd !== undefined && !process.env.VK_DRIVER_FILES && !process.env.VK_ICD_FILENAMES) process.env.VK_DRIVER_FILES = icd;
    // Mesa's Vulkan drivers, when installed, print an XDG_RUNTIME_DIR complaint each time the loader probes them.
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const dawnName: string = 'webgpu';
    const dawn = (await import(dawnName)) as DawnModule;
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter();
    if (adapter === null) {
      throw new Error(
        'no WebGPU adapter: install libvulkan1 and Chromium (its SwiftShader Vulkan driver, ' +
          `${swiftShaderIcdCandidates[0]}), or set TESSERA_SWIFTSHADER_ICD to a vk_swiftshader_icd.json`,
      );
    }
    installWebgpuGlobals(dawn, gpu);
    const backendName: string = '@tensorflow/tfjs-backend-webgpu';
    await import(backendName);
    if (tf.findBackendFactory('webgpu') === null) {
      throw new Error(
        '@tensorflow/tfjs-backend-webgpu registered no webgpu backend: it looks for navigator.gpu once, when first ' +
          'imported, so a module that imports it (e.g. a WGSL kernel) must be imported dynamically after startTestWebgpu()',
      );
    }
    if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend failed to initialise on the adapter');
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
    return { adapter: describeAdapter(adapter, info).name };
  })();
  return started;
}
