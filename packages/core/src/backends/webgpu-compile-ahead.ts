import * as tf from '@tensorflow/tfjs-core';

/**
 * Compiles the WebGPU pipelines a computation needs without blocking the event loop. tfjs-backend-webgpu compiles
 * each new shader synchronously inside the kernel call that first needs it; a training step's first run compiles them
 * all in one synchronous turn. On SwiftShader one of Tessera's GEMM shaders takes about 1.5 s to compile, so a small
 * MLP's first step held the event loop for 11 s, long enough for the coordinator's gRPC keepalive (5 s) to drop the
 * worker's streams and fail the job. Here the computation runs once in tfjs' compile-only mode
 * (`WEBGPU_ENGINE_COMPILE_ONLY`: every program is compiled with createComputePipelineAsync, which Dawn runs on its
 * own threads, and nothing is dispatched), its results are discarded, and the compilations are awaited: the same
 * 11 s of compiling kept the longest event-loop gap at 0.2 s.
 *
 * `step` must be side-effect free (its outputs are garbage and disposed): a forward pass or a gradient computation,
 * not an update. Does nothing on other backends. Returns the number of pipelines compiled (new shader keys).
 */
export async function compileWebgpuAhead(step: () => tf.TensorContainer): Promise<number> {
  const backend = tf.backend() as Partial<CompilingBackend>;
  if (tf.getBackend() !== 'webgpu' || typeof backend.checkCompileCompletionAsync !== 'function' || backend.pipelineCache === undefined) return 0;
  const before = Object.keys(backend.pipelineCache).length;
  const env = tf.env();
  env.set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    tf.dispose(tf.tidy(step));
  } finally {
    env.set('WEBGPU_ENGINE_COMPILE_ONLY', false);
  }
  // Waits for every pending compilation and swaps the cached promises for pipelines (a later dispatch needs those).
  await backend.checkCompileCompletionAsync();
  return Object.keys(backend.pipelineCache).length - before;
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend this uses (4.22). */
interface CompilingBackend {
  checkCompileCompletionAsync(): Promise<void>;
  pipelineCache: Record<string, unknown>;
}
