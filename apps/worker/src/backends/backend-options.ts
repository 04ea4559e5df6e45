import { maxWasmThreads } from '@tessera/core/backends/wasm-threaded-backend';

/** The backend choices an operator makes besides TESSERA_BACKEND. */
export interface BackendOptions {
  /** `--gpu N` (wins) or TESSERA_GPU: an adapter index or part of its name; unset = the first adapter. */
  readonly gpu?: string;
  /** TESSERA_WASM_THREADS; unset = one per core. */
  readonly wasmThreads?: number;
}

/**
 * Reads `--gpu N` / `--gpu=N` from the worker's arguments and TESSERA_GPU, TESSERA_WASM_THREADS from its
 * environment, for {@link selectBackend}'s options. Bad values are errors naming the variable, never ignored.
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
  return { ...(gpu ? { gpu } : {}), ...(wasmThreads ? { wasmThreads } : {}) };
}
