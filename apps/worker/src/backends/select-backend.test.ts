import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import type { ModuleLoader } from './backend-probe.ts';
import { BackendUnavailableError, selectBackend } from './select-backend.ts';
import type { DawnModule, GpuAdapterLike } from './webgpu-backend.ts';

/** Stands in for installed optional packages: each `load` runs the package's side effect (registering a backend). */
function fakeModules(packages: Record<string, () => unknown>): ModuleLoader & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    isInstalled: (specifier) => specifier in packages,
    load: (specifier) => {
      loaded.push(specifier);
      const load = packages[specifier];
      return load ? Promise.resolve(load()) : Promise.reject(new Error(`Cannot find package '${specifier}'`));
    },
  };
}

/** A Dawn with these adapters: `adapter=NAME` picks the first whose name contains NAME, as Dawn's bindings do. */
function fakeDawn(adapters: Array<{ name: string; maxBufferSize: number; software?: boolean }>, flagsSeen: string[][]): DawnModule {
  return {
    globals: { GPUBufferUsage: { STORAGE: 128 } },
    create: (flags) => {
      flagsSeen.push(flags);
      const wanted = flags.find((f) => f.startsWith('adapter='))?.slice('adapter='.length);
      const match = adapters.find((a) => wanted === undefined || a.name.includes(wanted));
      return {
        requestAdapter: (): Promise<GpuAdapterLike | null> =>
          Promise.resolve(
            match
              ? {
                  info: { description: match.name, ...(match.software ? { architecture: 'swiftshader' } : {}) },
                  limits: { maxBufferSize: match.maxBufferSize },
                }
              : null,
          ),
      };
    },
  };
}

/** What importing @tensorflow/tfjs-backend-webgpu does: register a `webgpu` backend (here a cpu one under that name). */
function fakeTfjsWebgpu(): unknown {
  if (tf.findBackendFactory('webgpu') === null) tf.registerBackend('webgpu', () => new MathBackendCPU());
  return {};
}

/** Stands in for registering Tessera's WGSL kernels (the fake webgpu backend above is a cpu one). */
const fakeKernels = { registerWebgpuKernels: () => Promise.resolve(['Conv2DBackpropFilter', 'Sum']) };

describe('selectBackend', () => {
  it('activates wasm and describes the device', async () => {
    const selection = await selectBackend('wasm');
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.device).toMatch(/^wasm \((simd|no simd), \d+ threads?\) on \S.*$/);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it.each([2, 1, 3, 1])('runs wasm on %i thread(s) when asked, and says so in the device string', async (threads) => {
    const selection = await selectBackend('wasm', { wasmThreads: threads });
    expect(getThreadsCount()).toBe(threads);
    expect(selection.device).toMatch(new RegExp(`^wasm \\(simd, ${threads} threads?\\) on `));
    expect(tf.sum(tf.matMul(tf.ones([64, 32]), tf.ones([32, 16]))).dataSync()[0]).toBe(64 * 32 * 16);
  });

  it('activates cpu', async () => {
    const selection = await selectBackend('cpu');
    expect(selection.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.device).toMatch(/^cpu \(JavaScript\) on /);
  });

  // A loader that finds none of the optional packages (tfjs-node, webgpu), whatever this machine has installed.
  it.each(['tensorflow', 'webgpu'] as const)('refuses %s when it is not installed, without falling back', async (name) => {
    await selectBackend('cpu');
    const lines: string[] = [];
    const error: unknown = await selectBackend(name, { modules: fakeModules({}), log: (line) => lines.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ kind: 'BackendUnavailable', backend: name });
    expect((error as Error).message).toMatch(new RegExp(`^backend ${name} is unavailable: not installed`));
    expect(lines).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('activates webgpu on the first adapter and reports its name and largest buffer', async () => {
    const flags: string[][] = [];
    const modules = fakeModules({
      webgpu: () => fakeDawn([{ name: 'NVIDIA H100 80GB HBM3', maxBufferSize: 4 * 2 ** 30 }], flags),
      '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu,
    });
    const selection = await selectBackend('webgpu', { modules, ...fakeKernels });
    expect(selection).toMatchObject({ backend: 'webgpu', device: 'webgpu (Dawn) on NVIDIA H100 80GB HBM3 (max buffer 4.0 GiB)' });
    expect(tf.getBackend()).toBe('webgpu');
    expect(flags).toEqual([[]]);
    // The globals tfjs-backend-webgpu needs are in place before it is imported.
    expect(modules.loaded).toEqual(['webgpu', '@tensorflow/tfjs-backend-webgpu']);
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeDefined();
  });

  it('picks the webgpu adapter by name (--gpu / TESSERA_GPU) and hands Dawn the same choice tfjs will see', async () => {
    const flags: string[][] = [];
    const adapters = [
      { name: 'llvmpipe', maxBufferSize: 2 ** 30 },
      { name: 'NVIDIA A100-SXM4-40GB', maxBufferSize: 2 * 2 ** 30 },
    ];
    const modules = fakeModules({ webgpu: () => fakeDawn(adapters, flags), '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu });
    const selection = await selectBackend('webgpu', { modules, gpu: 'A100', ...fakeKernels });
    expect(selection.device).toBe('webgpu (Dawn) on NVIDIA A100-SXM4-40GB (max buffer 2.0 GiB)');
    expect(flags).toEqual([['adapter=A100']]);
  });

  it.each([
    ['no adapter at all', [], undefined, /^backend webgpu is unavailable: no WebGPU adapter found/],
    ['no adapter with that name', [{ name: 'llvmpipe', maxBufferSize: 1 }], 'H100', /no WebGPU adapter named like "H100" found/],
    ['an index Dawn cannot address', [{ name: 'H100', maxBufferSize: 1 }], '1', /GPU index 1 requested, but Dawn's Node bindings expose only/],
  ])('refuses webgpu with %s, without falling back', async (_case, adapters, gpu, message) => {
    await selectBackend('cpu');
    const modules = fakeModules({ webgpu: () => fakeDawn(adapters, []), '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu });
    const error: unknown = await selectBackend('webgpu', { modules, ...fakeKernels, ...(gpu ? { gpu } : {}) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'BackendUnavailable', backend: 'webgpu' });
    expect((error as Error).message).toMatch(message);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('activates tensorflow from tfjs-node-gpu when installed, preferring it to tfjs-node', async () => {
    const register = () => {
      if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => new MathBackendCPU());
      return {};
    };
    const modules = fakeModules({ '@tensorflow/tfjs-node-gpu': register, '@tensorflow/tfjs-node': register });
    const selection = await selectBackend('tensorflow', { modules });
    expect(selection.backend).toBe('tensorflow');
    expect(selection.device).toMatch(/^tensorflow \(libtensorflow CUDA\) on /);
    expect(modules.loaded).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('refuses tensorflow when the installed package registered with another tfjs-core copy', async () => {
    tf.removeBackend('tensorflow');
    const modules = fakeModules({ '@tensorflow/tfjs-node': () => ({}) });
    await expect(selectBackend('tensorflow', { modules })).rejects.toThrow(/registered its backend with another copy of @tensorflow\/tfjs-core/);
  });

  it('auto picks webgpu when it is installed and finds an adapter', async () => {
    const lines: string[] = [];
    const modules = fakeModules({ webgpu: () => fakeDawn([{ name: 'GPU', maxBufferSize: 2 ** 30 }], []), '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu });
    const selection = await selectBackend('auto', { modules, ...fakeKernels, log: (line) => lines.push(line) });
    expect(selection.backend).toBe('webgpu');
    expect(selection.reason).toMatch(
      /^tensorflow skipped: not installed.*; webgpu chosen: WebGPU adapter found; Tessera kernels for Conv2DBackpropFilter, Sum; each job races them against tfjs' own on its first step and keeps the faster$/,
    );
  });

  it.each([
    ['a GPU, unset', 'NVIDIA H100 80GB HBM3', false, undefined, 'measure', 'tessera'],
    ['a software adapter, unset', 'SwiftShader driver 5.0.0', true, undefined, 'tessera', 'tessera'],
    ['a software adapter, measure asked for', 'SwiftShader driver 5.0.0', true, 'measure', 'measure', 'tessera'],
    ['a GPU, tessera asked for', 'NVIDIA H100 80GB HBM3', false, 'tessera', 'tessera', 'tessera'],
    ['a GPU, stock asked for', 'NVIDIA H100 80GB HBM3', false, 'stock', 'stock', 'stock'],
  ] as const)('chooses how webgpu kernels are picked on %s', async (_case, name, software, asked, resolved, registered) => {
    const modules = fakeModules({ webgpu: () => fakeDawn([{ name, maxBufferSize: 2 ** 30, software }], []), '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu });
    const implementations: string[] = [];
    const registerWebgpuKernels = (implementation: 'tessera' | 'stock') => {
      implementations.push(implementation);
      return Promise.resolve(['TesseraSgdUpdate']);
    };
    const selection = await selectBackend('webgpu', { modules, registerWebgpuKernels, ...(asked ? { webgpuKernels: asked } : {}) });
    expect(selection.webgpuKernels).toBe(resolved);
    expect(implementations).toEqual([registered]);
  });

  it('auto skips a software adapter (SwiftShader), says so, and picks wasm', async () => {
    const modules = fakeModules({
      webgpu: () => fakeDawn([{ name: 'SwiftShader driver 5.0.0', maxBufferSize: 2 ** 30, software: true }], []),
      '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu,
    });
    const selection = await selectBackend('auto', { modules, ...fakeKernels });
    expect(selection.backend).toBe('wasm');
    expect(selection.reason).toMatch(
      /webgpu skipped: only a software adapter \(SwiftShader driver 5\.0\.0\): it emulates a GPU on the CPU, slower than wasm/,
    );
    // Skipped before tfjs-backend-webgpu was imported: it would otherwise become tfjs' preferred backend.
    expect(modules.loaded).toEqual(['webgpu']);
  });

  it('accepts a software adapter when webgpu is asked for by name, and marks it in the device string', async () => {
    const modules = fakeModules({
      webgpu: () => fakeDawn([{ name: 'SwiftShader driver 5.0.0', maxBufferSize: 2 ** 30, software: true }], []),
      '@tensorflow/tfjs-backend-webgpu': fakeTfjsWebgpu,
    });
    const selection = await selectBackend('webgpu', { modules, ...fakeKernels });
    expect(selection.device).toBe('webgpu (Dawn) on SwiftShader driver 5.0.0 [software adapter, no GPU] (max buffer 1.0 GiB)');
  });

  it('auto skips the absent native and GPU backends, says why, and picks wasm', async () => {
    const lines: string[] = [];
    const selection = await selectBackend('auto', { modules: fakeModules({}), log: (line) => lines.push(line) });
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.reason).toMatch(/tensorflow skipped: not installed \(neither @tensorflow\/tfjs-node-gpu nor/);
    expect(selection.reason).toMatch(/webgpu skipped: not installed \(webgpu and @tensorflow\/tfjs-backend-webgpu/);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['tensorflow', 'webgpu', 'wasm']);
  });

  it('auto on this machine picks a backend that works and says why it skipped each faster one', async () => {
    // The real package loader: here webgpu is installed but finds no adapter (no GPU); on a GPU host it is chosen.
    const lines: string[] = [];
    const selection = await selectBackend('auto', { log: (line) => lines.push(line) });
    expect(['webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(selection.backend);
    expect(tf.getBackend()).toBe(selection.backend);
    const order = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
    const tried = lines.map((line) => line.split(':')[0]);
    expect(tried).toEqual(order.slice(0, order.indexOf(selection.backend) + 1));
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^\w+: skipped by auto \(.+\)/);
    expect(selection.reason).toMatch(new RegExp(`${selection.backend} chosen`));
  });
});
