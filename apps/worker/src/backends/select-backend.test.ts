import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend } from './select-backend.ts';

describe('selectBackend', () => {
  it('activates wasm and describes the device', async () => {
    const selection = await selectBackend('wasm');
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.device).toMatch(/^wasm \((simd|no simd), \d+ threads?\) on \S.*$/);
  });

  it('activates cpu', async () => {
    const selection = await selectBackend('cpu');
    expect(selection.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.device).toMatch(/^cpu \(JavaScript\) on /);
  });

  // Neither tfjs-node nor the webgpu packages are dependencies of the worker, so they cannot resolve here.
  it.each(['tensorflow', 'webgpu'] as const)('refuses %s when it is not installed, without falling back', async (name) => {
    await selectBackend('cpu');
    const lines: string[] = [];
    const error: unknown = await selectBackend(name, { log: (line) => lines.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ kind: 'BackendUnavailable', backend: name });
    expect((error as Error).message).toMatch(new RegExp(`^backend ${name} is unavailable: not installed`));
    expect(lines).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('auto skips the absent native and GPU backends, says why, and picks wasm', async () => {
    const lines: string[] = [];
    const selection = await selectBackend('auto', { log: (line) => lines.push(line) });
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.reason).toMatch(/tensorflow skipped: not installed \(neither @tensorflow\/tfjs-node-gpu nor/);
    expect(selection.reason).toMatch(/webgpu skipped: not installed \(webgpu and @tensorflow\/tfjs-backend-webgpu/);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['tensorflow', 'webgpu', 'wasm']);
  });
});
