import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createLogger } from '@tessera/core/logging/logger';
import { describe, expect, it } from 'vitest';
import { webgpuCompileAhead, webgpuFirstStep, type WebgpuFirstStepOptions } from './webgpu-first-step.ts';

function options(overrides: Partial<WebgpuFirstStepOptions>, calls: string[], logged: string[] = []): WebgpuFirstStepOptions {
  return {
    backend: { name: 'webgpu', device: 'GPU', webgpuKernels: 'tessera' },
    rank: 0,
    log: createLogger('test', { write: (line) => logged.push(line) }),
    report: () => Promise.resolve(),
    compile: (step) => {
      calls.push('compile');
      tf.dispose(step());
      return Promise.resolve(3);
    },
    choose: (step) => {
      calls.push('choose');
      tf.dispose(step());
      return Promise.resolve({ timing: 'gpu-timestamps', choices: [] });
    },
    ...overrides,
  };
}

describe('webgpuFirstStep', () => {
  it('has nothing to do on other backends', () => {
    expect(webgpuFirstStep(options({ backend: { name: 'wasm', device: 'wasm' } }, []))).toBeUndefined();
  });

  it('compiles the step ahead on webgpu, and only then measures the kernels when the worker measures them', async () => {
    const calls: string[] = [];
    const logged: string[] = [];
    await webgpuFirstStep(options({}, calls, logged))!(() => tf.scalar(1));
    expect(calls).toEqual(['compile']);
    expect(logged.join('\n')).toMatch(/webgpu pipelines compiled ahead.*"pipelines":3/);

    const measuring: string[] = [];
    await webgpuFirstStep(options({ backend: { name: 'webgpu', device: 'GPU', webgpuKernels: 'measure' } }, measuring))!(() => tf.scalar(1));
    expect(measuring).toEqual(['compile', 'choose']);
  });

  it('goes on to the step (and the measurement) when compiling ahead fails', async () => {
    const calls: string[] = [];
    const logged: string[] = [];
    const hook = webgpuFirstStep(
      options({ backend: { name: 'webgpu', device: 'GPU', webgpuKernels: 'measure' }, compile: () => Promise.reject(new Error('device lost')) }, calls, logged),
    )!;
    await hook(() => tf.scalar(1));
    expect(calls).toEqual(['choose']);
    expect(logged.join('\n')).toMatch(/compile-ahead failed.*device lost/);
  });
});

describe('webgpuCompileAhead', () => {
  it('has nothing to do on other backends', () => {
    expect(webgpuCompileAhead(options({ backend: { name: 'cpu', device: 'cpu' } }, []))).toBeUndefined();
  });

  it('compiles a pass ahead on webgpu and never races kernels, even on a worker that measures them', async () => {
    const calls: string[] = [];
    const logged: string[] = [];
    await webgpuCompileAhead(options({ backend: { name: 'webgpu', device: 'GPU', webgpuKernels: 'measure' } }, calls, logged))!(() => tf.scalar(1));
    expect(calls).toEqual(['compile']);
    expect(logged.join('\n')).toMatch(/webgpu pipelines compiled ahead.*"pipelines":3/);
  });

  it('logs a failed compile and lets the pass go on', async () => {
    const logged: string[] = [];
    const hook = webgpuCompileAhead(options({ compile: () => Promise.reject(new Error('device lost')) }, [], logged))!;
    await expect(hook(() => tf.scalar(1))).resolves.toBeUndefined();
    expect(logged.join('\n')).toMatch(/compile-ahead failed.*device lost/);
  });
});
