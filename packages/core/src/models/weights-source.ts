import { kerasImportError } from './keras-import-error.ts';

/** The one method of an object store the weight loaders need; `@tessera/storage`'s ObjectStore satisfies it. */
export interface WeightsStore {
  get(key: string): Promise<Uint8Array>;
  /** For error messages: `dir:/abs/path` or `s3://bucket/prefix`. */
  readonly location: string;
}

/** Where pretrained weights come from: no weights are bundled, so a job names a URL or an object-store key. */
export type WeightsSource = { readonly url: string } | { readonly store: WeightsStore; readonly key: string };

/**
 * Reads the bytes of a weights file and names them for error messages (`https://...` or `s3://bucket/prefix:key`).
 * A failed fetch or store read is a KerasImportError `WeightsUnavailable` keeping its cause. Costs one GET; the whole
 * file is held in memory (VGG16 notop: 59 MB), as the HDF5 reader needs it whole.
 */
export async function readWeightsBytes(
  from: WeightsSource,
  fetchImpl: typeof fetch = fetch,
): Promise<{ readonly bytes: Uint8Array; readonly source: string }> {
  if ('url' in from) {
    let response: Response;
    try {
      response = await fetchImpl(from.url);
    } catch (cause) {
      throw kerasImportError({ kind: 'WeightsUnavailable', source: from.url, reason: 'the request failed' }, cause);
    }
    if (!response.ok) {
      throw kerasImportError({ kind: 'WeightsUnavailable', source: from.url, reason: `HTTP ${response.status} ${response.statusText}`.trim() });
    }
    return { bytes: new Uint8Array(await response.arrayBuffer()), source: from.url };
  }
  const source = `${from.store.location}:${from.key}`;
  try {
    return { bytes: await from.store.get(from.key), source };
  } catch (cause) {
    throw kerasImportError({ kind: 'WeightsUnavailable', source, reason: 'the object store read failed' }, cause);
  }
}
