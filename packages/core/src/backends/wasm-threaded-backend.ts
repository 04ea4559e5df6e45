import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * Makes the `wasm` backend run tfjs-backend-wasm's multi-threaded SIMD build (Emscripten pthreads on Node
 * worker_threads, XNNPACK's thread pool underneath) with `threads` threads. Call before the first
 * `tf.setBackend('wasm')` of the process; the kernels the package registered for `wasm` (and ours) apply unchanged.
 *
 * Why this is needed, and what it changes (tfjs 4.22):
 * - The package never picks its threaded build in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag returns false when
 *   IS_NODE (tensorflow/tfjs#3830), and forcing the flag on does not help because it then starts the pthread
 *   workers from Blob URLs, which Node's `Worker` refuses. So this loads the threaded Emscripten module itself, with
 *   `locateFile` pointing the pthread workers at wasm-pthread-worker.js, and wraps it in the package's own
 *   `BackendWasm` class exactly as the package's `init()` does.
 * - The C side caps its pool at `emscripten_num_logical_cores() / 2` (a guess at hyper-threading), which Node
 *   answers with `os.cpus().length`: on a 2-core machine that is 1 thread whatever `setThreadsCount` says. The
 *   module's `instantiateWasm` hook answers that import with `2 × threads`, so the pool gets exactly `threads`.
 * - Emscripten pre-starts 8 pthread workers (compile-time PTHREAD_POOL_SIZE) sharing one WebAssembly memory; the
 *   thread pool uses `threads - 1` of them plus the calling thread. They are unref'd so they do not keep Node alive.
 *
 * Measured on 2 shared cores (bench/cpu.ts): a 1024 matmul at 58 GFLOP/s on 2 threads against 30 on 1 when the
 * second core was free, no gain when another process held it. Training steps gain less (about 1.45x on the
 * VGG-style step): both conv gradients run on XNNPACK's convolution (threaded, wasm-conv-gradients.ts), but the
 * transposes, pooling gradients and element-wise kernels around them are single-threaded.
 */
export async function registerThreadedWasmBackend(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 1 || threads > maxWasmThreads) {
    throw new Error(`wasm threads must be an integer from 1 to ${maxWasmThreads}, got ${threads}`);
  }
  const wasmOutDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const binary = await readFile(path.join(wasmOutDir, 'tfjs-backend-wasm-threaded-simd.wasm'));
  const factory = require(path.join(wasmOutDir, 'tfjs-backend-wasm-threaded-simd.js')) as EmscriptenFactory;
  const current = tf.findBackendFactory('wasm');
  if (current !== null) {
    if (!threadedFactories.has(current)) stockFactory = current;
    tf.removeBackend('wasm');
  }
  const threadedFactory = async () => {
      const module = await factory({
        locateFile: (file, prefix) => (file.endsWith('.worker.js') ? pthreadWorkerPath : prefix + file),
        instantiateWasm: (imports, receiveInstance) => {
          imports.env.emscripten_num_logical_cores = () => 2 * threads;
          void webAssembly.instantiate(binary, imports).then(({ instance, module: compiled }) => receiveInstance(instance, compiled));
          return {};
        },
      });
      // Emscripten ref()s a worker while it runs a pthread, and XNNPACK's pool threads run for the life of the
      // process, so Node would never exit on its own (seen: bench children outliving their work by minutes). The
      // main thread is the one that matters; let the pool's workers (all pre-started, see above) not hold Node open.
      for (const worker of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) {
        worker.ref = () => undefined;
        worker.unref();
      }
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      setThreadsCount(threads);
      return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  };
  threadedFactories.add(threadedFactory);
  // Same priority as the package's own registration.
  tf.registerBackend('wasm', threadedFactory, 2);
}

/**
 * Puts the package's own single-threaded `wasm` backend back after {@link registerThreadedWasmBackend} (a process
 * that compares both, like bench/cpu.ts, or tests). Does nothing if the threaded build was never registered.
 */
export function restoreSingleThreadedWasmBackend(): void {
  const current = tf.findBackendFactory('wasm');
  if (current === null || !threadedFactories.has(current) || stockFactory === undefined) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockFactory, 2);
}

type BackendFactory = NonNullable<ReturnType<typeof tf.findBackendFactory>>;
const threadedFactories = new WeakSet<BackendFactory>();
let stockFactory: BackendFactory | undefined;

/** Emscripten pre-starts this many pthread workers (PTHREAD_POOL_SIZE of the 4.22 build); the C side caps at 8. */
export const maxWasmThreads = 8;

interface PthreadWorker {
  ref: () => void;
  unref: () => void;
}
interface EmscriptenModule {
  cwrap: (name: string, returnType: string | null, argTypes: string[]) => unknown;
  PThread: { unusedWorkers: PthreadWorker[]; runningWorkers: PthreadWorker[] };
  tfjs?: Record<string, unknown>;
}
type EmscriptenFactory = (config: {
  locateFile: (file: string, prefix: string) => string;
  instantiateWasm: (
    imports: { env: Record<string, unknown> },
    receiveInstance: (instance: object, module: object) => void,
  ) => object;
}) => Promise<EmscriptenModule>;

// @types/node declares no WebAssembly globals (no DOM lib here); this is the one call used.
const webAssembly = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }> };
}).WebAssembly;
const require = createRequire(import.meta.url);
const pthreadWorkerPath = fileURLToPath(new URL('./wasm-pthread-worker.js', import.meta.url));
