import * as tf from '@tensorflow/tfjs-core';
import {
  describeAdapter,
  installWebgpuGlobals,
  swiftShaderIcdCandidates,
  type DawnModule,
  type GpuAdapterLike,
} from '@tessera/core/backends/webgpu-runtime';
import type { ModuleLoader, Probe } from './backend-probe.ts';

export type { DawnModule, GpuAdapterLike };

// Optional packages, named through constants so the compiler does not require them to be installed.
export const dawnPackage: string = 'webgpu';
export const webgpuBackendPackage: string = '@tensorflow/tfjs-backend-webgpu';

/**
 * Which implementation of the kernels Tessera overrides runs (TESSERA_WEBGPU_KERNEL_CHOICE): `measure` races
 * Tessera's against tfjs' own on each job's first step and keeps the faster (webgpu-kernel-choice.ts), `tessera`
 * always Tessera's, `stock` always tfjs' own. The fused optimizer kernels are registered in every case: they replace
 * nothing. Unset: `measure` on a GPU, `tessera` on a software adapter (SwiftShader's timings say nothing about a GPU's,
 * and its shader compiles make measuring slow).
 */
export type WebgpuKernelChoice = 'measure' | 'tessera' | 'stock';
export const webgpuKernelChoices: readonly WebgpuKernelChoice[] = ['measure', 'tessera', 'stock'];

/**
 * Registers Tessera's WGSL kernels over the package's (see webgpu-training-kernels.ts), or with `stock` only those
 * that replace nothing; returns the kernels of Tessera's now registered. Tests substitute fakes.
 */
export type WebgpuKernelRegistration = (implementation: 'tessera' | 'stock') => Promise<readonly string[]>;

const registerTesseraKernels: WebgpuKernelRegistration = async (implementation) => {
  const kernels = await import('@tessera/core/backends/webgpu-training-kernels');
  const registered = kernels.registerWebgpuTrainingKernels();
  if (implementation === 'tessera') return registered;
  kernels.restoreStockWebgpuKernels();
  const overrides = new Set(kernels.webgpuKernelOverrides());
  return registered.filter((name) => !overrides.has(name));
};

export interface ActivateWebgpuOptions {
  /** `--gpu N` / TESSERA_GPU. */
  readonly gpu?: string | undefined;
  /** `auto` refuses a software adapter (SwiftShader, llvmpipe): it emulates a GPU on the CPU, slower than wasm. */
  readonly auto: boolean;
  readonly registerKernels?: WebgpuKernelRegistration;
  /** TESSERA_WEBGPU_KERNEL_CHOICE; unset: `measure` on a GPU, `tessera` on a software adapter. */
  readonly kernels?: WebgpuKernelChoice | undefined;
}

/**
 * Activates tfjs' WebGPU backend on Dawn. `gpu` picks the adapter: unset or `0` takes Dawn's first adapter; any
 * other text is a substring of the adapter's name, passed to Dawn as its `adapter=` flag so that tfjs, which asks
 * `navigator.gpu` for an adapter itself, gets the same one. An index above 0 is refused: Dawn's Node bindings only
 * ever return the first adapter that matches, so identical GPUs cannot be told apart by index inside one process;
 * run one worker per GPU with the others hidden from it (e.g. the container's NVIDIA_VISIBLE_DEVICES).
 *
 * A software adapter (SwiftShader, when VK_DRIVER_FILES points the Vulkan loader at it) is accepted when webgpu is
 * asked for by name, and says so in the device string; `auto` skips it. WebGPU does not expose a device's memory
 * size; the device string reports the largest buffer the adapter allows.
 */
export async function activateWebgpu(
  modules: ModuleLoader,
  options: ActivateWebgpuOptions,
): Promise<Probe & { webgpuKernels?: WebgpuKernelChoice }> {
  const missing = [dawnPackage, webgpuBackendPackage].filter((name) => !modules.isInstalled(name));
  if (missing.length > 0) {
    return { ok: false, reason: `not installed (${missing.join(' and ')} do not resolve from the worker)` };
  }
  const choice = options.gpu?.trim() ?? '';
  if (/^\d+$/.test(choice) && Number(choice) > 0) {
    return {
      ok: false,
      reason:
        `GPU index ${choice} requested, but Dawn's Node bindings expose only the first matching adapter per process: ` +
        'select by adapter name (TESSERA_GPU=<part of the name>) or hide the other GPUs from this worker',
    };
  }
  const flags = choice === '' || choice === '0' ? [] : [`adapter=${choice}`];
  const dawn = (await modules.load(dawnPackage)) as DawnModule;
  const navigatorGpu = dawn.create(flags);
  const adapter = await navigatorGpu.requestAdapter();
  if (adapter === null) {
    const which = flags.length > 0 ? ` named like "${choice}"` : '';
    return {
      ok: false,
      reason:
        `no WebGPU adapter${which} found (no GPU, or its driver is not usable by Dawn; without a GPU, ` +
        `VK_DRIVER_FILES=${swiftShaderIcdCandidates[0]} gives a software adapter for testing)`,
    };
  }
  const { name, software } = describeAdapter(adapter, adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {});
  if (software && options.auto) {
    return { ok: false, reason: `only a software adapter (${name}): it emulates a GPU on the CPU, slower than wasm` };
  }
  installWebgpuGlobals(dawn, navigatorGpu);
  await modules.load(webgpuBackendPackage);
  if (tf.findBackendFactory('webgpu') === null) {
    return {
      ok: false,
      reason: `${webgpuBackendPackage} registered its backend with another copy of @tensorflow/tfjs-core (need ${tf.version_core})`,
    };
  }
  if (!(await tf.setBackend('webgpu'))) {
    return { ok: false, reason: 'a WebGPU adapter exists but the tfjs webgpu backend failed to initialise' };
  }
  const webgpuKernels = options.kernels ?? (software ? 'tessera' : 'measure');
  const kernels = await (options.registerKernels ?? registerTesseraKernels)(webgpuKernels === 'stock' ? 'stock' : 'tessera');
  const maxBuffer = adapter.limits?.maxBufferSize;
  const memory = maxBuffer ? ` (max buffer ${(maxBuffer / 2 ** 30).toFixed(1)} GiB)` : '';
  const device = `webgpu (Dawn) on ${name}${software ? ' [software adapter, no GPU]' : ''}${memory}`;
  const kernelNote = {
    measure: '; each job races them against tfjs\' own on its first step and keeps the faster',
    tessera: '',
    stock: '; tfjs\' own kernels otherwise (TESSERA_WEBGPU_KERNEL_CHOICE=stock)',
  }[webgpuKernels];
  const detail = `WebGPU adapter found${kernels.length > 0 ? `; Tessera kernels for ${kernels.join(', ')}` : ''}${kernelNote}`;
  return { ok: true, device, detail, webgpuKernels };
}
