import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { adamMomentKernel, adamWeightsKernel, sgdUpdateKernel } from '../training/fused-update.ts';

/**
 * The optimizer update as single-pass WGSL kernels that read each variable's gradient straight out of the reduced
 * fusion buffer (one upload per step, see training/fused-update.ts) at the variable's offset:
 *
 * - `TesseraSgdUpdate` (w, flat; offset, learningRate): w - lr * g. tfjs' SGD runs two kernels over the variable.
 * - `TesseraAdamMoment` (m, flat; offset, beta, square): beta * m + (1 - beta) * g (or g² for the second moment).
 * - `TesseraAdamWeights` (w, m, v, flat, accBeta1, accBeta2; offset, learningRate, beta1, beta2, epsilon): Adam's new
 *   weights from the OLD moments (it recomputes the new ones inline, so the three kernels can run in any order before
 *   their results are assigned). The bias corrections come from the optimizer's β-power variables, read on the GPU:
 *   nothing is read back to the CPU. tfjs' Adam runs about thirteen kernels per variable.
 *
 * The arithmetic follows tfjs' optimizers operation by operation; results match them on the cpu backend to 1e-4
 * (webgpu-optimizer-kernels.test.ts).
 */
export interface SgdUpdateAttrs {
  offset: number;
  learningRate: number;
}
export interface AdamMomentAttrs {
  offset: number;
  beta: number;
  square: boolean;
}
export interface AdamWeightsAttrs {
  offset: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const workgroupSize: [number, number, number] = [256, 1, 1];
/** Elements (or vec4s) per thread, strided by the thread count so that neighbouring threads read neighbouring data. */
const perThread = 4;

/**
 * An elementwise program over a variable of `size` elements whose gradient starts at `flat[offset]`. `body` ends by
 * defining `value`, the new element. When the size and the offset are multiples of 4 (every VGG16 variable and
 * offset) it works on vec4s, as tfjs' own elementwise kernels do; the trailing `scalars` inputs stay single floats.
 */
function elementwiseProgram(
  shaderKey: string,
  vectors: string[],
  scalars: string[],
  size: number,
  offset: number,
  uniforms: string,
  body: string,
): { program: WebGPUProgram; uniformData: Array<{ type: 'int32'; data: number[] }> } {
  const components = size % 4 === 0 && offset % 4 === 0 ? 4 : 1;
  const threads = Math.ceil(size / components / perThread);
  const dispatchShape = [threads];
  const dispatchLayout = webgpu_util.flatDispatchLayout(dispatchShape);
  const program: WebGPUProgram = {
    shaderKey: `${shaderKey}_x${perThread}_c${components}`,
    variableNames: [...vectors, ...scalars],
    variableComponents: [...vectors.map(() => components), ...scalars.map(() => 1)],
    outputComponent: components,
    outputShape: [size],
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, dispatchShape, workgroupSize),
    workgroupSize,
    size: true,
    uniforms: `${uniforms} offset : i32, threads : i32,`,
    getUserCode: () => `
      fn main(thread : i32) {
        for (var k = 0; k < ${perThread}; k++) {
          let index = thread + k * uniforms.threads;
          if (index < uniforms.size) {
            let g = flat[uniforms.offset + index];
            ${body}
            result[index] = value;
          }
        }
      }`,
  };
  // Appended after the kernel's own uniforms, in the order the declaration above lists them.
  return { program, uniformData: [{ type: 'int32', data: [offset / components] }, { type: 'int32', data: [threads] }] };
}

function sizeOf(info: TensorInfo): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

function checkSlice(kernel: string, variable: TensorInfo, flat: TensorInfo, offset: number): void {
  const size = sizeOf(variable);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > sizeOf(flat)) {
    throw new RangeError(`${kernel}: gradient slice [${offset}, ${offset + size}) lies outside the ${sizeOf(flat)}-element buffer`);
  }
}

/** The program's flat [size] result as a tensor of the variable's shape (same data, same element count). */
function shapedLike(result: TensorInfo, like: TensorInfo): TensorInfo {
  return { ...result, shape: [...like.shape] };
}

const sgdUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, flat } = inputs as { w: TensorInfo; flat: TensorInfo };
  const { offset, learningRate } = attrs as unknown as SgdUpdateAttrs;
  checkSlice(sgdUpdateKernel, w, flat, offset);
  const { program, uniformData } = elementwiseProgram('tesseraSgdUpdate', ['w', 'flat'], [], sizeOf(w), offset, 'step : f32,', `
            let value = uniforms.step * g + w[index];`);
  const result = (backend as WebGPUBackend).runWebGPUProgram(program, [w, flat], 'float32', [
    { type: 'float32', data: [-learningRate] },
    ...uniformData,
  ]);
  return shapedLike(result, w);
};

const adamMoment: KernelFunc = ({ inputs, backend, attrs }) => {
  const { m, flat } = inputs as { m: TensorInfo; flat: TensorInfo };
  const { offset, beta, square } = attrs as unknown as AdamMomentAttrs;
  checkSlice(adamMomentKernel, m, flat, offset);
  const term = square ? 'g * g' : 'g';
  const { program, uniformData } = elementwiseProgram(
    `tesseraAdamMoment_${square ? 'squared' : 'plain'}`,
    ['m', 'flat'],
    [],
    sizeOf(m),
    offset,
    'beta : f32, oneMinusBeta : f32,',
    `
            let value = m[index] * uniforms.beta + (${term}) * uniforms.oneMinusBeta;`,
  );
  const result = (backend as WebGPUBackend).runWebGPUProgram(program, [m, flat], 'float32', [
    { type: 'float32', data: [beta] },
    { type: 'float32', data: [1 - beta] },
    ...uniformData,
  ]);
  return shapedLike(result, m);
};

const adamWeights: KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, m, v, flat, accBeta1, accBeta2 } = inputs as Record<'w' | 'm' | 'v' | 'flat' | 'accBeta1' | 'accBeta2', TensorInfo>;
  const a = attrs as unknown as AdamWeightsAttrs;
  checkSlice(adamWeightsKernel, w, flat, a.offset);
  const { program, uniformData } = elementwiseProgram(
    'tesseraAdamWeights',
    ['w', 'm', 'v', 'flat'],
    ['accBeta1', 'accBeta2'],
    sizeOf(w),
    a.offset,
    'step : f32, beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, epsilon : f32,',
    `
            let newM = m[index] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
            let newV = v[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;
            let mHat = newM / (1.0 - accBeta1[0]);
            let vHat = newV / (1.0 - accBeta2[0]);
            let value = mHat / (sqrt(vHat) + uniforms.epsilon) * uniforms.step + w[index];`,
  );
  const result = (backend as WebGPUBackend).runWebGPUProgram(program, [w, m, v, flat, accBeta1, accBeta2], 'float32', [
    { type: 'float32', data: [-a.learningRate] },
    { type: 'float32', data: [a.beta1] },
    { type: 'float32', data: [1 - a.beta1] },
    { type: 'float32', data: [a.beta2] },
    { type: 'float32', data: [1 - a.beta2] },
    { type: 'float32', data: [a.epsilon] },
    ...uniformData,
  ]);
  return shapedLike(result, w);
};

/** The three kernels, for registerWebgpuTrainingKernels. */
export const webgpuOptimizerKernels: readonly KernelConfig[] = [
  { kernelName: sgdUpdateKernel, backendName: 'webgpu', kernelFunc: sgdUpdate },
  { kernelName: adamMomentKernel, backendName: 'webgpu', kernelFunc: adamMoment },
  { kernelName: adamWeightsKernel, backendName: 'webgpu', kernelFunc: adamWeights },
];
