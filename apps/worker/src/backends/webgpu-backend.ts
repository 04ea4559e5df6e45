import * as tf from '@tensorflow/tfjs-core';
import type { ModuleLoader, Probe } from './backend-probe.ts';

// Optional packages, named through constants so the compiler does not require them to be installed.
export const dawnPackage: string = 'webgpu';
export const webgpuBackendPackage: string = '@tensorflow/tfjs-backend-webgpu';

/** The parts of the `webgpu` package (Dawn's Node bindings) the worker uses. */
export interface DawnModule {
  create: (flags: string[]) => GpuLike;
  globals: Record<string, unknown>;
}
export interface GpuLike {
  requestAdapter: (options?: object) => Promise<GpuAdapterLike | null>;
}
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
}
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/**
 * Activates tfjs' WebGPU backend on Dawn. `gpu` picks the adapter: unset or `0` takes Dawn's first adapter; any
 * other text is a substring of the adapter's name, passed to Dawn as its `adapter=` flag so that tfjs, which asks
 * `navigator.gpu` for an adapter itself, gets the same one. An index above 0 is refused: Dawn's Node bindings only
 * ever return the first adapter that matches, so identical GPUs cannot be told apart by index inside one process;
 * run one worker per GPU with the others hidden from it (e.g. the container's NVIDIA_VISIBLE_DEVICES).
 *
 * WebGPU does not expose a device's memory size; the device string reports the largest buffer the adapter allows.
 */
export async function activateWebgpu(modules: ModuleLoader, gpu: string | undefined): Promise<Probe> {
  const missing = [dawnPackage, webgpuBackendPackage].filter((name) => !modules.isInstalled(name));
  if (missing.length > 0) {
    return { ok: false, reason: `not installed (${missing.join(' and ')} do not resolve from the worker)` };
  }
  const choice = gpu?.trim() ?? '';
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
    return { ok: false, reason: `no WebGPU adapter${which} found (no GPU, or its driver is not usable by Dawn)` };
  }
  // tfjs-backend-webgpu looks for the browser globals (navigator.gpu, GPUBufferUsage, ...) and decides when it is
  // first imported whether WebGPU exists, so they must be in place before that import.
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true, writable: true });
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
  return { ok: true, device: describeAdapter(adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {}, adapter), detail: 'WebGPU adapter found' };
}

function describeAdapter(info: GpuAdapterInfoLike, adapter: GpuAdapterLike): string {
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  const maxBuffer = adapter.limits?.maxBufferSize;
  const memory = maxBuffer ? ` (max buffer ${(maxBuffer / 2 ** 30).toFixed(1)} GiB)` : '';
  return `webgpu (Dawn) on ${name}${memory}`;
}
