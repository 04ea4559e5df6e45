import { describe, expect, it } from 'vitest';
import { readWeightsBytes } from './weights-source.ts';

describe('readWeightsBytes', () => {
  it('reads from a URL and from a store, naming the source', async () => {
    const fetchOk = (() => Promise.resolve(new Response(Uint8Array.of(1, 2, 3)))) as typeof fetch;
    expect(await readWeightsBytes({ url: 'https://example.test/w.h5' }, fetchOk)).toEqual({ bytes: Uint8Array.of(1, 2, 3), source: 'https://example.test/w.h5' });
    const store = { location: 'dir:/data', get: async (key: string) => (key === 'w.h5' ? Uint8Array.of(9) : Promise.reject(new Error(`no ${key}`))) };
    expect(await readWeightsBytes({ store, key: 'w.h5' })).toEqual({ bytes: Uint8Array.of(9), source: 'dir:/data:w.h5' });
    await expect(readWeightsBytes({ store, key: 'x.h5' })).rejects.toMatchObject({
      kind: 'WeightsUnavailable',
      source: 'dir:/data:x.h5',
      message: 'could not read weights from dir:/data:x.h5: the object store read failed: no x.h5',
    });
  });

  it('turns an HTTP error and a failed request into WeightsUnavailable', async () => {
    const notFound = (() => Promise.resolve(new Response('gone', { status: 404, statusText: 'Not Found' }))) as typeof fetch;
    await expect(readWeightsBytes({ url: 'https://example.test/missing.h5' }, notFound)).rejects.toMatchObject({
      kind: 'WeightsUnavailable',
      message: 'could not read weights from https://example.test/missing.h5: HTTP 404 Not Found',
    });
    const offline = (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    await expect(readWeightsBytes({ url: 'https://example.test/w.h5' }, offline)).rejects.toMatchObject({ kind: 'WeightsUnavailable', cause: { message: 'fetch failed' } });
  });
});
