import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gemmFits, planGemm, runGemm, type GemmOperands, type GemmPlanner, stockKernel } from './webgpu-gemm.ts';

/**
 * `BatchMatMul` and `_FusedMatMul` (every dense layer, forward and both gradients) for tfjs' `webgpu` backend on
 * Tessera's register-blocked GEMM (webgpu-gemm.ts) in place of tfjs-backend-webgpu 4.22's 32x32-tile programs, with
 * the bias and a relu fused into the store.
 *
 * Handles float32 operands of rank 2 or more in either transposition, batch dimensions that are equal or absent on
 * one side, a bias of one value per output column, and linear or relu activations; anything else (prelu, leaky relu,
 * other biases, general batch broadcasting) goes to the stock kernel. Matches the cpu backend to 1e-4
 * (webgpu-matmul.test.ts).
 */
export function webgpuBatchMatMul(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const problem = a !== undefined && b !== undefined ? describe(a, b, attrs, undefined, 'linear') : undefined;
    if (problem === undefined) return stockKernel(stock, tf.BatchMatMul, args);
    return matMul(args.backend as WebGPUBackend, problem, planner) ?? stockKernel(stock, tf.BatchMatMul, args);
  };
}

export function webgpuFusedMatMul(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const activation = attrs.activation ?? 'linear';
    const supported = preluActivationWeights === undefined && (activation === 'linear' || activation === 'relu');
    const problem = supported && a !== undefined && b !== undefined ? describe(a, b, attrs, bias, activation) : undefined;
    if (problem === undefined) return stockKernel(stock, tf._FusedMatMul, args);
    return matMul(args.backend as WebGPUBackend, problem, planner) ?? stockKernel(stock, tf._FusedMatMul, args);
  };
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

interface MatMulProblem {
  readonly a: TensorInfo;
  readonly b: TensorInfo;
  readonly bias: TensorInfo | undefined;
  readonly relu: boolean;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly batch: number;
  readonly batchA: number;
  readonly batchB: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly outputShape: number[];
}

function describe(
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
  bias: TensorInfo | undefined,
  activation: string,
): MatMulProblem | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const m = attrs.transposeA ? aCols : aRows;
  const k = attrs.transposeA ? aRows : aCols;
  const n = attrs.transposeB ? bRows : bCols;
  if ((attrs.transposeB ? bCols : bRows) !== k) return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  const outer = batchA >= batchB ? outerA : outerB;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n || bias.shape.at(-1) !== n)) return undefined;
  if (m === 0 || n === 0 || k === 0) return undefined;
  return {
    a,
    b,
    bias,
    relu: activation === 'relu',
    transposeA: attrs.transposeA,
    transposeB: attrs.transposeB,
    batch: Math.max(batchA, batchB),
    batchA,
    batchB,
    m,
    n,
    k,
    outputShape: [...outer, m, n],
  };
}

function matMul(backend: WebGPUBackend, p: MatMulProblem, planner: GemmPlanner): TensorInfo | undefined {
  const dims = { batch: p.batch, m: p.m, n: p.n, k: p.k };
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const operands = matMulOperands(p.transposeA, p.transposeB, p.bias !== undefined, p.relu);
  const uniforms = [{ type: 'int32', data: [p.batchA > 1 ? p.m * p.k : 0, p.batchB > 1 ? p.k * p.n : 0] }] as const;
  return runGemm(backend, operands, dims, plan, [p.a, p.b], p.bias === undefined ? [] : [p.bias], uniforms, p.outputShape);
}

function matMulOperands(transposeA: boolean, transposeB: boolean, bias: boolean, relu: boolean): GemmOperands {
  // Inside one product A is [M, K] (or [K, M] transposed) and B is [K, N] (or [N, K]): a row of A and a column of B
  // are a start offset and a step along K.
  const aRow = transposeA ? 'row' : 'row * uniforms.gemmDims[2]';
  const aStep = transposeA ? 'uniforms.gemmDims[0]' : '1';
  const bCol = transposeB ? 'col * uniforms.gemmDims[2]' : 'col';
  const bStep = transposeB ? '1' : 'uniforms.gemmDims[1]';
  const biased = bias ? 'value + bias[col]' : 'value';
  return {
    key: `matmul_${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}_${bias ? 'bias' : 'nobias'}_${relu ? 'relu' : 'linear'}`,
    variableNames: ['a', 'b'],
    epilogueVariables: bias ? ['bias'] : [],
    uniforms: 'batchStrides : vec2<i32>,',
    loadA: `
      struct GemmRowA { start : i32 }
      fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA(batch * uniforms.batchStrides[0] + ${aRow}); }
      fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return a[r.start + k * ${aStep}]; }`,
    aContiguous: transposeA ? 'm' : 'k',
    loadB: `
      struct GemmColB { start : i32 }
      fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(batch * uniforms.batchStrides[1] + ${bCol}); }
      fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return b[c.start + k * ${bStep}]; }`,
    bContiguous: transposeB ? 'k' : 'n',
    store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
      let v = ${biased};
      result[(batch * uniforms.gemmDims[0] + row) * uniforms.gemmDims[1] + col] = ${relu ? 'max(v, 0.0)' : 'v'};
    }`,
  };
}
