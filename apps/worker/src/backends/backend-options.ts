import { maxWasmThreads } from '@tessera/core/backends/wasm-threaded-backend';
import { webgpuKernelChoices, type WebgpuKernelChoice } from './webgpu-backend.ts';

/** The backend choices an operator makes besides TESSERA_BACKEND. */
export interface BackendOptions {
  /** `--gpu N` (wins) or TESSERA_GPU: an adapter index or part of its name; unset = the first adapter. */
  readonly gpu?: string;
  /** TESSERA_WASM_THREADS; unset = one per core. */
  readonly wasmThreads?: number;
  /** TESSERA_WEBGPU_KERNEL_CHOICE; unset = measure on a GPU, Tessera's on a software adapter. */
  readonly webgpuKernels?: WebgpuKernelChoice;
}

/**
 * Reads `--gpu N` / `--gpu=N` from the worker's arguments and TESSERA_GPU, TESSERA_WASM_THREADS,
 * TESSERA_WEBGPU_KERNEL_CHOICE from its environment, for {@link selectBackend}'s options. Bad values are errors naming the variable, never ignored.
 */
export function backendOptionsFromEnv(env: NodeJS.ProcessEnv, argv: readonly string[]): BackendOptions {
  let gpu = env.TESSERA_GPU?.trim() || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--gpu') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error('--gpu needs a value: a GPU index or part of its name');
      gpu = value;
    } else if (arg.startsWith('--gpu=')) {
      gpu = arg.slice('--gpu='.length);
    }
  }
  const rawThreads = env.TESSERA_WASM_THREADS?.trim();
  let wasmThreads: number | undefined;
  if (rawThreads) {
    wasmThreads = Number(rawThreads);
    if (!Number.isInteger(wasmThreads) || wasmThreads < 1 || wasmThreads > maxWasmThreads) {
      throw new Error(`TESSERA_WASM_THREADS must be an integer from 1 to ${maxWasmThreads}, got "${rawThreads}"`);
    }
  }
  const rawKernels = env.TESSERA_WEBGPU_KERNEL_CHOICE?.trim();
  const webgpuKernels = webgpuKernelChoices.find((choice) => choice === rawKernels);
  if (rawKernels && webgpuKernels === undefined) {
    throw new Error(`TESSERA_WEBGPU_KERNEL_CHOICE must be one of ${webgpuKernelChoices.join(', ')}, got "${rawKernels}"`);
  }
  return { ...(gpu ? { gpu } : {}), ...(wasmThreads ? { wasmThreads } : {}), ...(webgpuKernels ? { webgpuKernels } : {}) };
}
