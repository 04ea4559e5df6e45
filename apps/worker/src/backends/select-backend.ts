import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

/** What the operator asks for (TESSERA_BACKEND). */
export type BackendRequest = 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** The backend tfjs now runs on, the device string that goes into the worker's registration, and why. */
export interface BackendSelection {
  readonly backend: BackendName;
  /** e.g. `wasm (simd, 1 thread) on AMD EPYC 7B13`. */
  readonly device: string;
  readonly reason: string;
}

/** A backend the operator named explicitly is not usable here; the worker must not start on another one. */
export class BackendUnavailableError extends Error {
  readonly kind = 'BackendUnavailable';
  readonly backend: BackendName;

  constructor(backend: BackendName, reason: string, options?: { cause?: unknown }) {
    super(`backend ${backend} is unavailable: ${reason}`, options);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}

export interface SelectBackendOptions {
  /** Receives one line per backend tried and why it was skipped or chosen. */
  readonly log?: (line: string) => void;
}

type Probe = { ok: true; device: string; detail: string } | { ok: false; reason: string; cause?: unknown };

// Fastest first (DESIGN.md "Backends"); wasm measured ~16× faster than cpu on the Sonar MLP.
const autoOrder: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * Chooses and activates the tfjs backend. `auto` tries tensorflow (tfjs-node-gpu / tfjs-node, only if the operator
 * installed one), then webgpu (the `webgpu` Dawn bindings plus @tensorflow/tfjs-backend-webgpu, only if installed
 * and an adapter exists), then wasm, then cpu. A backend requested by name that cannot start throws
 * {@link BackendUnavailableError}: no silent fallback, since a worker registered as GPU but running on CPU would
 * mislead the scheduler and the operator. Call once per process, before any tensor is created.
 */
export async function selectBackend(
  request: BackendRequest,
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const log = options.log ?? (() => undefined);
  if (request !== 'auto') {
    const probe = await activate(request);
    if (!probe.ok) {
      log(`${request}: unavailable (${probe.reason})`);
      throw new BackendUnavailableError(request, probe.reason, { cause: probe.cause });
    }
    const reason = `${request} requested explicitly; ${probe.detail}`;
    log(`${request}: selected (${reason})`);
    return { backend: request, device: probe.device, reason };
  }
  const skipped: string[] = [];
  for (const backend of autoOrder) {
    const probe = await activate(backend);
    if (probe.ok) {
      const reason = [...skipped, `${backend} chosen: ${probe.detail}`].join('; ');
      log(`${backend}: selected by auto (${reason})`);
      return { backend, device: probe.device, reason };
    }
    skipped.push(`${backend} skipped: ${probe.reason}`);
    log(`${backend}: skipped by auto (${probe.reason})`);
  }
  throw new BackendUnavailableError('cpu', `no tfjs backend could start (${skipped.join('; ')})`);
}

async function activate(backend: BackendName): Promise<Probe> {
  try {
    switch (backend) {
      case 'tensorflow':
        return await activateTensorflow();
      case 'webgpu':
        return await activateWebgpu();
      case 'wasm':
        return await activateWasm();
      case 'cpu':
        return await activateCpu();
    }
  } catch (cause) {
    return { ok: false, reason: cause instanceof Error ? cause.message : String(cause), cause };
  }
}

async function activateTensorflow(): Promise<Probe> {
  const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const installed = candidates.find(isResolvable);
  if (installed === undefined) {
    return { ok: false, reason: `not installed (neither ${candidates.join(' nor ')} resolves from the worker)` };
  }
  await import(installed);
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      reason: `${installed} registered its backend with another copy of @tensorflow/tfjs-core (need ${tf.version_core})`,
    };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${installed} is installed but its native backend failed to initialise` };
  }
  const flavour = installed.endsWith('-gpu') ? 'CUDA' : 'CPU';
  return {
    ok: true,
    device: `tensorflow (libtensorflow ${flavour}) on ${cpuModel()}`,
    detail: `${installed} loaded`,
  };
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface WebgpuModule {
  create: (flags: string[]) => { requestAdapter: () => Promise<GpuAdapterLike | null> };
  globals: Record<string, unknown>;
}

// Optional packages, named through variables so the compiler does not require them to be installed.
const dawnPackage: string = 'webgpu';
const webgpuBackendPackage: string = '@tensorflow/tfjs-backend-webgpu';

async function activateWebgpu(): Promise<Probe> {
  const missing = [dawnPackage, webgpuBackendPackage].filter((name) => !isResolvable(name));
  if (missing.length > 0) {
    return { ok: false, reason: `not installed (${missing.join(' and ')} do not resolve from the worker)` };
  }
  const dawn = (await import(dawnPackage)) as WebgpuModule;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    return { ok: false, reason: 'no WebGPU adapter found (no GPU, or its driver is not usable by Dawn)' };
  }
  // tfjs-backend-webgpu looks for the browser globals (navigator.gpu, GPUBufferUsage, ...).
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import(webgpuBackendPackage);
  if (!(await tf.setBackend('webgpu'))) {
    return { ok: false, reason: 'a WebGPU adapter exists but the tfjs webgpu backend failed to initialise' };
  }
  const info = adapter.info ?? {};
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  return { ok: true, device: `webgpu (Dawn) on ${name || 'unknown adapter'}`, detail: 'WebGPU adapter found' };
}

async function activateWasm(): Promise<Probe> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) {
    return { ok: false, reason: 'the WebAssembly module failed to initialise' };
  }
  await tf.ready();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  const device = `wasm (${simd ? 'simd' : 'no simd'}, ${threads} thread${threads === 1 ? '' : 's'}) on ${cpuModel()}`;
  return { ok: true, device, detail: 'WebAssembly backend ready' };
}

async function activateCpu(): Promise<Probe> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) {
    return { ok: false, reason: 'the JavaScript cpu backend failed to initialise' };
  }
  return { ok: true, device: `cpu (JavaScript) on ${cpuModel()}`, detail: 'plain JavaScript kernels (slowest)' };
}

const require = createRequire(import.meta.url);

/** Whether a package can be imported from this worker, without loading it (an absent optional backend is normal). */
function isResolvable(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    // ESM-only packages (e.g. `webgpu`) have no `require` export; ask the ESM resolver when there is one.
    try {
      return typeof import.meta.resolve === 'function' && import.meta.resolve(specifier).length > 0;
    } catch {
      return false;
    }
  }
}

function cpuModel(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim().replace(/\s+/g, ' ');
  return `${model || 'unknown CPU'} (${cpus.length} cores)`;
}
