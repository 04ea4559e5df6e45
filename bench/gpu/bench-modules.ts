import { createRequire } from 'node:module';
import type { ModuleLoader } from '@tessera/worker/backends/backend-probe';
import { isResolvable } from '@tessera/worker/backends/select-backend';
import { dawnPackage, webgpuBackendPackage } from '@tessera/worker/backends/webgpu-backend';

const require = createRequire(import.meta.url);

/**
 * selectBackend's module loader for the benchmark, which must also run as one esbuild bundle on a GPU machine that
 * has no node_modules (bench/gpu/prepare.sh):
 * - `webgpu` (Dawn's bindings) is loaded from `dawnNode`, a dawn.node file, when one is given: the bundle cannot
 *   carry a native addon. Without it, the installed `webgpu` package is imported as the worker does. Loading the
 *   addon directly skips the package's index.js, whose only addition is unmapping buffers on GPUDevice.destroy(),
 *   which the benchmark never calls.
 * - `@tensorflow/tfjs-backend-webgpu` is imported through a literal specifier so that esbuild puts it in the
 *   bundle, still evaluated lazily: it must not run before selectBackend has set `navigator.gpu`.
 */
export function benchModules(dawnNode: string | undefined): ModuleLoader {
  return {
    isInstalled: (specifier) =>
      (specifier === dawnPackage && dawnNode !== undefined) || specifier === webgpuBackendPackage || isResolvable(specifier),
    load: async (specifier) => {
      if (specifier === dawnPackage && dawnNode !== undefined) return require(dawnNode) as unknown;
      if (specifier === webgpuBackendPackage) return import('@tensorflow/tfjs-backend-webgpu');
      return import(specifier) as Promise<unknown>;
    },
  };
}
