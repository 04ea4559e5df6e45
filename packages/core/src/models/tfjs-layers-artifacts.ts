import { z } from 'zod';
import type { KerasH5Layer, KerasH5Weight } from './keras-h5-file.ts';
import { kerasImportError } from './keras-import-error.ts';
import { readWeightsBytes } from './weights-source.ts';
import type { WeightsSource } from './weights-source.ts';

/** What a tfjs layers `model.json` and its weight shards hold, read fully into memory, independent of tfjs. */
export interface TfjsLayersArtifacts {
  /** The model.json's URL or `<store location>:<key>`. */
  readonly source: string;
  /** `layers-model`, or undefined in model.json files older than the field. */
  readonly format: string | undefined;
  readonly generatedBy: string | undefined;
  readonly convertedBy: string | undefined;
  /** The Keras model config, as tfjs-layers and tensorflowjs_converter write it; not used to load weights. */
  readonly modelTopology: unknown;
  /**
   * Layers in the order their first weight appears in the manifest; a weight `block1_conv1/kernel` belongs to layer
   * `block1_conv1` (everything before the last `/`), in manifest order, which is Keras's and tfjs' weight order.
   */
  readonly layers: readonly KerasH5Layer[];
}

const quantizationSchema = z.object({
  dtype: z.string(),
  scale: z.number().optional(),
  min: z.number().optional(),
});

const modelJsonSchema = z.object({
  format: z.string().optional(),
  generatedBy: z.string().nullish(),
  convertedBy: z.string().nullish(),
  modelTopology: z.unknown(),
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string().min(1)),
      weights: z.array(
        z.object({
          name: z.string().min(1),
          shape: z.array(z.number().int().min(0)),
          dtype: z.string(),
          quantization: quantizationSchema.optional(),
        }),
      ),
    }),
  ),
});

type ManifestEntry = z.infer<typeof modelJsonSchema>['weightsManifest'][number]['weights'][number];

/** Bytes per element of the types tfjs' converter quantizes float32 weights to. */
const quantizedBytes: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Reads tfjs layers artifacts: the `model.json` that `from` names (written by tfjs-layers' `model.save` or by
 * `tensorflowjs_converter --input_format keras`, a Tessera checkpoint's `model.json` too) and every weight shard its
 * `weightsManifest` lists, each path resolved against the model.json's URL (the query string carried over, as tfjs'
 * http loader does) or store key. Store reads go through `from.store`, URLs through `fetchImpl`; no tfjs loader
 * touches the network. Weights must be float32, stored as is or quantized (uint8, uint16 affine; float16); other
 * dtypes, graph models, unreadable shards and shards of the wrong total size are KerasImportErrors naming the file.
 *
 * Costs one read of model.json and one of each shard (in parallel); the shards are held whole, joined, then copied
 * out per weight, so peak memory is about three times the weights (VGG16 notop: 3 x 59 MB).
 */
export async function readTfjsLayersArtifacts(from: WeightsSource, fetchImpl: typeof fetch = fetch): Promise<TfjsLayersArtifacts> {
  const { bytes, source } = await readWeightsBytes(from, fetchImpl);
  const fail = (reason: string, cause?: unknown) => kerasImportError({ kind: 'NotTfjsLayersArtifacts', source, reason }, cause);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw fail(`it is not JSON (${bytes.byteLength} bytes)`, cause);
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`);
  }
  const modelJson = parsed.data;
  if (modelJson.format !== undefined && modelJson.format !== 'layers-model') {
    throw fail(`its format is '${modelJson.format}'; only a 'layers-model' stores weights by layer name`);
  }
  const entries = modelJson.weightsManifest.flatMap((group) => group.weights);
  const sizes = entries.map((entry) => entryBytes(entry, fail));
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  const shards = await Promise.all(paths.map(async (path) => readWeightsBytes(resolveShard(from, path, fail), fetchImpl)));
  const needed = sizes.reduce((a, b) => a + b, 0);
  const held = shards.reduce((a, shard) => a + shard.bytes.byteLength, 0);
  if (held !== needed) {
    throw fail(`its weightsManifest needs ${needed} bytes but its shard files (${paths.join(', ') || 'none'}) hold ${held}`);
  }
  const data = joinShards(shards.map((shard) => shard.bytes), held);
  const layers = new Map<string, KerasH5Weight[]>();
  let offset = 0;
  entries.forEach((entry, index) => {
    const slash = entry.name.lastIndexOf('/');
    if (slash <= 0) throw fail(`weight '${entry.name}' is not named <layer>/<weight>, so it belongs to no layer`);
    const layer = entry.name.slice(0, slash);
    const weights = layers.get(layer) ?? [];
    if (weights.some((w) => w.name === entry.name)) throw fail(`weight '${entry.name}' appears twice in its weightsManifest`);
    const size = sizes[index]!;
    weights.push({ name: entry.name, shape: entry.shape, values: decodeWeight(data.subarray(offset, offset + size), entry) });
    layers.set(layer, weights);
    offset += size;
  });
  return {
    source,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy ?? undefined,
    convertedBy: modelJson.convertedBy ?? undefined,
    modelTopology: modelJson.modelTopology,
    layers: [...layers].map(([name, weights]) => ({ name, weights })),
  };
}

/** Bytes the entry takes in the shards; refuses what cannot become a float32 layer weight. */
function entryBytes(entry: ManifestEntry, fail: (reason: string) => Error): number {
  if (entry.dtype !== 'float32') {
    throw fail(`weight '${entry.name}' is ${entry.dtype}; only float32 weights load into layers`);
  }
  const elements = entry.shape.reduce((a, b) => a * b, 1);
  const quantization = entry.quantization;
  if (quantization === undefined) return elements * 4;
  const width = Object.hasOwn(quantizedBytes, quantization.dtype) ? quantizedBytes[quantization.dtype] : undefined;
  if (width === undefined) {
    throw fail(`weight '${entry.name}' is quantized as ${quantization.dtype}; supported: uint8, uint16, float16`);
  }
  if (quantization.dtype !== 'float16' && (quantization.scale === undefined || quantization.min === undefined)) {
    throw fail(`weight '${entry.name}' is quantized as ${quantization.dtype} without its scale and min`);
  }
  return elements * width;
}

function decodeWeight(bytes: Uint8Array, entry: ManifestEntry): Float32Array {
  // A copy into a fresh buffer: aligned for typed-array views, and no view keeps the joined shards alive.
  const buffer = bytes.slice().buffer;
  const quantization = entry.quantization;
  if (quantization === undefined) return new Float32Array(buffer);
  if (quantization.dtype === 'float16') return Float32Array.from(new Uint16Array(buffer), halfToFloat);
  const { scale = 1, min = 0 } = quantization;
  const stored = quantization.dtype === 'uint8' ? new Uint8Array(buffer) : new Uint16Array(buffer);
  return Float32Array.from(stored, (q) => q * scale + min);
}

/** IEEE 754 half precision to a number: subnormals, infinities and NaN included. */
function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function joinShards(shards: readonly Uint8Array[], total: number): Uint8Array {
  if (shards.length === 1) return shards[0]!;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    joined.set(shard, offset);
    offset += shard.byteLength;
  }
  return joined;
}

/**
 * A shard path of the manifest, resolved against where the model.json came from. In a store, paths must stay
 * relative and inside the store (`../x.bin` from `weights/vgg/model.json` is `weights/x.bin`).
 */
function resolveShard(from: WeightsSource, path: string, fail: (reason: string, cause?: unknown) => Error): WeightsSource {
  if ('url' in from) {
    let url: URL;
    let query: string;
    try {
      url = new URL(path, from.url);
      query = new URL(from.url).search;
    } catch (cause) {
      throw fail(`shard path '${path}' does not resolve to a URL`, cause);
    }
    if (url.search === '' && query !== '') url.search = query;
    return { url: url.href };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/')) {
    throw fail(`shard path '${path}' is not relative to the model.json's key`);
  }
  const segments = from.key.split('/').slice(0, -1);
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.pop() === undefined) throw fail(`shard path '${path}' leads outside the object store`);
  }
  return { store: from.store, key: segments.join('/') };
}
