import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { maxWasmThreads, registerThreadedWasmBackend, restoreSingleThreadedWasmBackend } from '@tessera/core/backends/wasm-threaded-backend';
import { registerCpuKernelFixes } from '@tessera/core/backends/cpu-kernel-fixes';
import { registerWasmTrainingKernels } from '@tessera/core/backends/wasm-training-kernels';
import type { ModuleLoader, Probe } from './backend-probe.ts';
import { activateWebgpu, type WebgpuKernelChoice, type WebgpuKernelRegistration } from './webgpu-backend.ts';

/** What the operator asks for (TESSERA_BACKEND). */
export type BackendRequest = 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** The backend tfjs now runs on, the device string that goes into the worker's registration, and why. */
export interface BackendSelection {
  readonly backend: BackendName;
  /** e.g. `wasm (simd, 1 thread) on AMD EPYC 7B13`. */
  readonly device: string;
  readonly reason: string;
  /** On webgpu: which implementation of the kernels Tessera overrides runs (`measure`: chosen per job). */
  readonly webgpuKernels?: WebgpuKernelChoice;
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
  /** Which GPU (`--gpu N` / TESSERA_GPU): an adapter index, or a substring of its name. Default: the first. */
  readonly gpu?: string;
  /** Threads of the wasm backend (TESSERA_WASM_THREADS); default: one per core, at most 8. 1 = single-threaded build. */
  readonly wasmThreads?: number;
  /** How optional packages are found and loaded; tests substitute fakes. */
  readonly modules?: ModuleLoader;
  /** Registers Tessera's WGSL kernels once webgpu is up; tests substitute fakes. */
  readonly registerWebgpuKernels?: WebgpuKernelRegistration;
  /** TESSERA_WEBGPU_KERNEL_CHOICE; unset: `measure` on a GPU, `tessera` on a software adapter. */
  readonly webgpuKernels?: WebgpuKernelChoice;
}

const nodeModules: ModuleLoader = { isInstalled: isResolvable, load: (specifier) => import(specifier) };


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
    const probe = await activate(request, options, false);
    if (!probe.ok) {
      log(`${request}: unavailable (${probe.reason})`);
      throw new BackendUnavailableError(request, probe.reason, { cause: probe.cause });
    }
    const reason = `${request} requested explicitly; ${probe.detail}`;
    log(`${request}: selected (${reason})`);
    return { backend: request, device: probe.device, reason, ...kernelsOf(probe) };
  }
  const skipped: string[] = [];
  for (const backend of autoOrder) {
    const probe = await activate(backend, options, true);
    if (probe.ok) {
      const reason = [...skipped, `${backend} chosen: ${probe.detail}`].join('; ');
      log(`${backend}: selected by auto (${reason})`);
      return { backend, device: probe.device, reason, ...kernelsOf(probe) };
    }
    skipped.push(`${backend} skipped: ${probe.reason}`);
    log(`${backend}: skipped by auto (${probe.reason})`);
  }
  throw new BackendUnavailableError('cpu', `no tfjs backend could start (${skipped.join('; ')})`);
}

type ActivatedProbe = Probe & { webgpuKernels?: WebgpuKernelChoice };

function kernelsOf(probe: ActivatedProbe): { webgpuKernels?: WebgpuKernelChoice } {
  return probe.webgpuKernels === undefined ? {} : { webgpuKernels: probe.webgpuKernels };
}

async function activate(backend: BackendName, options: SelectBackendOptions, auto: boolean): Promise<ActivatedProbe> {
  const modules = options.modules ?? nodeModules;
  try {
    switch (backend) {
      case 'tensorflow':
        return await activateTensorflow(modules);
      case 'webgpu':
        return await activateWebgpu(modules, {
          gpu: options.gpu,
          auto,
          kernels: options.webgpuKernels,
          ...(options.registerWebgpuKernels ? { registerKernels: options.registerWebgpuKernels } : {}),
        });
      case 'wasm':
        return await activateWasm(options.wasmThreads ?? defaultWasmThreads());
      case 'cpu':
        return await activateCpu();
    }
  } catch (cause) {
    return { ok: false, reason: cause instanceof Error ? cause.message : String(cause), cause };
  }
}

async function activateTensorflow(modules: ModuleLoader): Promise<Probe> {
  const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const installed = candidates.find((name) => modules.isInstalled(name));
  if (installed === undefined) {
    return { ok: false, reason: `not installed (neither ${candidates.join(' nor ')} resolves from the worker)` };
  }
  await modules.load(installed);
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

async function activateWasm(threads: number): Promise<Probe> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // One thread: the package's own single-threaded SIMD build. More: its threaded build (see wasm-threaded-backend.ts).
  if (threads > 1) await registerThreadedWasmBackend(threads);
  else restoreSingleThreadedWasmBackend();
  if (!(await tf.setBackend('wasm'))) {
    return { ok: false, reason: 'the WebAssembly module failed to initialise' };
  }
  await tf.ready();
  registerWasmTrainingKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  // The pool's real size, as the C side reports it (it may be capped below what was asked).
  const running = wasm.getThreadsCount();
  const device = `wasm (${simd ? 'simd' : 'no simd'}, ${running} thread${running === 1 ? '' : 's'}) on ${cpuModel()}`;
  return { ok: true, device, detail: 'WebAssembly backend ready' };
}

async function activateCpu(): Promise<Probe> {
  await import('@tensorflow/tfjs-backend-cpu');
  registerCpuKernelFixes();
  if (!(await tf.setBackend('cpu'))) {
    return { ok: false, reason: 'the JavaScript cpu backend failed to initialise' };
  }
  return { ok: true, device: `cpu (JavaScript) on ${cpuModel()}`, detail: 'plain JavaScript kernels (slowest)' };
}

/** One wasm thread per core (the cores are the worker's: one worker per machine), within what the build allows. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(maxWasmThreads, os.availableParallelism()));
}

const require = createRequire(import.meta.url);

/** Whether a package can be imported from this worker, without loading it (an absent optional backend is normal). */
export function isResolvable(specifier: string): boolean {
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
