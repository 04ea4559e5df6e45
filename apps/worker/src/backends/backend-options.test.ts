import { describe, expect, it } from 'vitest';
import { backendOptionsFromEnv } from './backend-options.ts';

describe('backendOptionsFromEnv', () => {
  it('is empty when nothing is set (first adapter, one wasm thread per core)', () => {
    expect(backendOptionsFromEnv({}, [])).toEqual({});
  });

  it('reads TESSERA_GPU and TESSERA_WASM_THREADS', () => {
    expect(backendOptionsFromEnv({ TESSERA_GPU: 'H100', TESSERA_WASM_THREADS: '2' }, [])).toEqual({ gpu: 'H100', wasmThreads: 2 });
  });

  it('lets --gpu N and --gpu=N override TESSERA_GPU', () => {
    expect(backendOptionsFromEnv({ TESSERA_GPU: '0' }, ['node', 'main.ts', '--gpu', '3'])).toEqual({ gpu: '3' });
    expect(backendOptionsFromEnv({}, ['--gpu=A100'])).toEqual({ gpu: 'A100' });
  });

  it.each(['0', '9', '1.5', 'two'])('refuses TESSERA_WASM_THREADS=%s', (value) => {
    expect(() => backendOptionsFromEnv({ TESSERA_WASM_THREADS: value }, [])).toThrow(`TESSERA_WASM_THREADS must be an integer from 1 to 8, got "${value}"`);
  });

  it('reads TESSERA_WEBGPU_KERNEL_CHOICE and refuses anything but measure, tessera or stock', () => {
    expect(backendOptionsFromEnv({ TESSERA_WEBGPU_KERNEL_CHOICE: 'stock' }, [])).toEqual({ webgpuKernels: 'stock' });
    expect(backendOptionsFromEnv({ TESSERA_WEBGPU_KERNEL_CHOICE: ' measure ' }, [])).toEqual({ webgpuKernels: 'measure' });
    expect(backendOptionsFromEnv({ TESSERA_WEBGPU_KERNEL_CHOICE: '' }, [])).toEqual({});
    expect(() => backendOptionsFromEnv({ TESSERA_WEBGPU_KERNEL_CHOICE: 'fastest' }, [])).toThrow(
      'TESSERA_WEBGPU_KERNEL_CHOICE must be one of measure, tessera, stock, got "fastest"',
    );
  });

  it('refuses --gpu without a value', () => {
    expect(() => backendOptionsFromEnv({}, ['--gpu'])).toThrow(/--gpu needs a value/);
  });
});
