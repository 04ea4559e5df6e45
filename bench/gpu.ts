/**
 * tfjs on the backend a worker would pick against PyTorch, one run: Keras's VGG16 (with top) SGD training step and
 * forward (img/s), and an fp32 matmul (GFLOP/s), then ../shared/gpu/pytorch-vgg16-baseline.py (bench/gpu/) at the
 * same sizes when `python3` has torch, and the ratios tfjs ÷ PyTorch. Writes bench/results/gpu.json
 * (BENCH_RESULTS overrides the path); progress goes to stderr.
 *
 *   pnpm bench:gpu        (tsx bench/gpu.ts)
 *   BENCH_BACKEND=auto|webgpu|wasm|cpu|tensorflow (default auto: selectBackend, as the worker; webgpu on a GPU machine)
 *   TESSERA_GPU, TESSERA_WASM_THREADS as for the worker. Sizes: 224x224, batch 16, matmul 4096 on webgpu/tensorflow,
 *   64x64, batch 4, matmul 1024 on wasm/cpu; BENCH_IMAGE_SIZE BENCH_BATCH BENCH_FORWARD_BATCH BENCH_MATMUL
 *   BENCH_CLASSES BENCH_WARMUP BENCH_TRAIN_REPS BENCH_FORWARD_REPS BENCH_MATMUL_REPS override them.
 *   BENCH_DAWN_NODE: a dawn.node to load instead of the `webgpu` package (default: dawn.node beside this script, as
 *   in the GPU-machine bundle that bench/gpu/prepare.sh builds and bench/gpu/run.sh runs).
 *   BENCH_PYTHON (python3), BENCH_PYTORCH_SCRIPT, BENCH_PYTORCH_TIMEOUT_S (300).
 *
 *   BENCH_DATA_PARALLEL: worker processes for a data-parallel VGG16 run over the real gRPC ring (default 2 on webgpu,
 *   none otherwise), each selecting its backend as a worker does; their step times and per-worker img/s go in gpu.json.
 *
 * The tfjs figures come from a child process, so that its GPU memory is freed before PyTorch runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { backendOptionsFromEnv } from '@tessera/worker/backends/backend-options';
import type { BackendRequest } from '@tessera/worker/backends/select-backend';
import { selectBackend } from '@tessera/worker/backends/select-backend';
import { resolveBenchSizes } from './gpu/bench-sizes.ts';
import { benchModules } from './gpu/bench-modules.ts';
import { measureDataParallel, runDataParallelRank } from './gpu/data-parallel.ts';
import { buildGpuResult } from './gpu/gpu-result.ts';
import type { DataParallelResult, TfjsFigures } from './gpu/gpu-result.ts';
import { runPytorchBaseline } from './gpu/pytorch-baseline.ts';
import { measureTfjs } from './gpu/tfjs-figures.ts';

const script = fileURLToPath(import.meta.url);
const here = path.dirname(script);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const requests: readonly BackendRequest[] = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** The backend the benchmark's processes run on: BENCH_BACKEND through the worker's own selection. */
async function selectBenchBackend(): Promise<Awaited<ReturnType<typeof selectBackend>>> {
  const request = (process.env.BENCH_BACKEND?.trim() || 'auto') as BackendRequest;
  if (!requests.includes(request)) throw new Error(`BENCH_BACKEND must be one of ${requests.join(', ')}, got "${request}"`);
  const dawnNode = process.env.BENCH_DAWN_NODE?.trim() || (existsSync(path.join(here, 'dawn.node')) ? path.join(here, 'dawn.node') : undefined);
  return selectBackend(request, {
    ...backendOptionsFromEnv(process.env, []),
    modules: benchModules(dawnNode),
    log: (line) => log(`backend: ${line}`),
  });
}

async function child(): Promise<void> {
  const selection = await selectBenchBackend();
  const sizes = resolveBenchSizes(process.env, selection.backend);
  log(`tfjs ${tf.version_core} on ${selection.device}; sizes ${JSON.stringify(sizes)}`);
  const figures = await measureTfjs(sizes, selection, log);
  // Exit once the figures are out: Dawn's device (and the wasm thread pool) would otherwise keep the process alive.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(figures)}\n`, () => resolve()));
  process.exit(0);
}

async function rankProcess(rank: number, ranks: number): Promise<void> {
  const selection = await selectBenchBackend();
  await runDataParallelRank(rank, ranks, resolveBenchSizes(process.env, selection.backend), selection, log);
  process.exit(0);
}

/** BENCH_DATA_PARALLEL ranks (0 or 1: none); by default 2 when tfjs ran on WebGPU, none otherwise. */
function dataParallelRanks(backend: string): number {
  const raw = process.env.BENCH_DATA_PARALLEL?.trim();
  if (!raw) return backend === 'webgpu' ? 2 : 0;
  const ranks = Number(raw);
  if (!Number.isInteger(ranks) || ranks < 0) throw new RangeError(`BENCH_DATA_PARALLEL must be a whole number of ranks, got "${raw}"`);
  return ranks;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAverage1mAtStart = Number(os.loadavg()[0]!.toFixed(2));
  log(`bench:gpu: tfjs figures (child process ${path.basename(script)})`);
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    const proc = execFile(process.execPath, [...process.execArgv, script, '--child'], { maxBuffer: 1 << 22 }, (error, out) =>
      error ? reject(new Error(`the tfjs child process failed (exit ${error.code ?? error.signal}); its stderr is above`)) : resolve({ stdout: out }),
    );
    proc.stderr?.pipe(process.stderr);
  });
  const tfjs = JSON.parse(stdout.trim().split('\n').pop() ?? '') as TfjsFigures;

  const ranks = dataParallelRanks(tfjs.backend);
  let dataParallel: DataParallelResult = { available: false, reason: 'not run (BENCH_DATA_PARALLEL=2 runs it; default on webgpu)' };
  if (ranks > 1) {
    log(`bench:gpu: VGG16 data-parallel over ${ranks} worker processes (gRPC ring on loopback)`);
    try {
      dataParallel = { available: true, ...(await measureDataParallel(script, ranks, log)) };
    } catch (error) {
      dataParallel = { available: false, reason: error instanceof Error ? error.message : String(error) };
      log(`bench:gpu: data-parallel run failed: ${dataParallel.reason}`);
    }
  }

  const pytorchScript =
    process.env.BENCH_PYTORCH_SCRIPT?.trim() ||
    [path.join(here, 'gpu', 'pytorch-vgg16-baseline.py'), path.join(here, 'pytorch-vgg16-baseline.py')].find((p) => existsSync(p));
  const pytorch = pytorchScript
    ? await runPytorchBaseline({
        script: pytorchScript,
        sizes: tfjs.sizes,
        python: process.env.BENCH_PYTHON?.trim() || 'python3',
        timeoutMs: Number(process.env.BENCH_PYTORCH_TIMEOUT_S ?? 300) * 1000,
        log,
      })
    : ({ available: false, reason: `pytorch-vgg16-baseline.py not found beside ${script}` } as const);
  if (!pytorch.available) log(`pytorch: unavailable (${pytorch.reason})`);

  const machine = {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    tfjs: tf.version_core,
    // The figures are only as quiet as the machine: other work sharing it shows here.
    loadAverage1mAtStart,
    elapsedS: Math.round((Date.now() - started.getTime()) / 1000),
  };
  const result = buildGpuResult(tfjs, pytorch, machine, started, dataParallel);
  const out = process.env.BENCH_RESULTS?.trim() || path.join(here, 'results', 'gpu.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`bench:gpu: ${result.note}`);
  log(`bench:gpu: ratios (tfjs / PyTorch fp32) ${JSON.stringify(result.ratios)}`);
  log(`bench:gpu: wrote ${out}`);
}

try {
  const rankAt = process.argv.indexOf('--rank');
  if (process.argv[2] === '--child') await child();
  else if (rankAt > 0) await rankProcess(Number(process.argv[rankAt + 1]), Number(process.argv[process.argv.indexOf('--ranks') + 1]));
  else await main();
} catch (error) {
  // A stack, not Node's report of an uncaught error, which quotes the failing source line: in the bundle that line
  // is a whole minified module.
  log(`bench:gpu${process.argv[2] === '--child' ? ' (tfjs child)' : process.argv.includes('--rank') ? ' (rank process)' : ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
