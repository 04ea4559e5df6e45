import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchSizes } from './bench-sizes.ts';
import type { PytorchFigures } from './gpu-result.ts';

const run = promisify(execFile);

/**
 * Runs pytorch-vgg16-baseline.py with `sizes` (the ones the tfjs side used) and returns its figures, or
 * `{ available: false, reason }` when `python` cannot import torch and torchvision or the script fails: the tfjs
 * figures are still worth writing then. The script's progress lines go to this process's stderr as they come.
 */
export async function runPytorchBaseline(options: {
  script: string;
  sizes: BenchSizes;
  python?: string;
  timeoutMs?: number;
  log: (line: string) => void;
}): Promise<PytorchFigures> {
  const python = options.python ?? 'python3';
  try {
    await run(python, ['-c', 'import torch, torchvision'], { timeout: 60_000 });
  } catch (cause) {
    return { available: false, reason: `${python} cannot import torch and torchvision (${lastLine(cause)})` };
  }
  const { sizes } = options;
  const args = [
    options.script,
    ...(['image-size', sizes.imageSize, 'batch', sizes.trainBatch, 'forward-batch', sizes.forwardBatch, 'matmul', sizes.matmul,
      'classes', sizes.classes, 'warmup', sizes.warmup, 'train-reps', sizes.trainReps, 'forward-reps', sizes.forwardReps,
      'matmul-reps', sizes.matmulReps] as const).map((v, i) => (i % 2 === 0 ? `--${v}` : String(v))),
  ];
  options.log(`pytorch: ${python} ${args.join(' ')}`);
  const child = run(python, args, { timeout: options.timeoutMs ?? 300_000, maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  try {
    const { stdout } = await child;
    return parsePytorchOutput(stdout);
  } catch (cause) {
    return { available: false, reason: `${options.script} failed: ${lastLine(cause)}` };
  }
}

/** Reads the script's last stdout line (one JSON object, snake_case) into the result's shape; throws if malformed. */
export function parsePytorchOutput(stdout: string): PytorchFigures {
  const line = stdout.trim().split('\n').pop() ?? '';
  const raw = JSON.parse(line) as Record<string, unknown>;
  const num = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`pytorch baseline output lacks ${key}: ${line}`);
    return value;
  };
  const optional = (key: string): number | null => (raw[key] === null ? null : num(key));
  return {
    available: true,
    device: String(raw.device),
    torch: String(raw.torch),
    matmulFp32Gflops: num('matmul_fp32_gflops'),
    trainFp32ImgPerSec: num('train_fp32_img_s'),
    trainTf32ImgPerSec: optional('train_tf32_img_s'),
    trainBf16AmpImgPerSec: optional('train_bf16_amp_img_s'),
    forwardFp32ImgPerSec: num('forward_fp32_img_s'),
    forwardTf32ImgPerSec: optional('forward_tf32_img_s'),
    parameters: num('parameters'),
  };
}

function lastLine(cause: unknown): string {
  const stderr = (cause as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() ? stderr : cause instanceof Error ? cause.message : String(cause);
  return text.trim().split('\n').pop() ?? '';
}
