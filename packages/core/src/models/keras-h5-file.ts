import h5wasm from 'h5wasm';
import type { Attribute, Dataset, File as H5File, Group } from 'h5wasm';
import { isKerasImportError, kerasImportError } from './keras-import-error.ts';

/** One stored weight: its Keras name (`block1_conv1/kernel:0`, or `block1_conv1_W_1:0` in Keras 1 era files). */
export interface KerasH5Weight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface KerasH5Layer {
  readonly name: string;
  /** In the file's `weight_names` order, which is Keras's (and tfjs') weight order for the layer. */
  readonly weights: readonly KerasH5Weight[];
}

/** What a Keras `.h5` holds, read fully into memory, independent of h5wasm. */
export interface KerasH5Contents {
  /** `model`: `model.save()` (architecture in `modelConfig`); `weights`: `model.save_weights()` only. */
  readonly kind: 'model' | 'weights';
  readonly source: string;
  readonly kerasVersion: string | undefined;
  readonly backend: string | undefined;
  /** The parsed `model_config` attribute of whole-model files. */
  readonly modelConfig: unknown;
  /** Every layer named in `layer_names`, in file order, including those without weights. */
  readonly layers: readonly KerasH5Layer[];
}

let fileCounter = 0;

/**
 * Reads a Keras HDF5 file from bytes (an object-store `get` or a fetched URL; no weights are bundled): whole-model
 * files from `model.save()` (`model_config` attribute, weights under `model_weights/`) and weights-only files from
 * `save_weights()` such as `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` (`layer_names` at the root).
 * `source` names the bytes in errors.
 *
 * Cost: the bytes are copied into h5wasm's in-memory file system for the duration of the read, and every weight is
 * copied out as float32, so peak memory is about twice the file (VGG16 notop: 2 x 59 MB).
 */
export async function readKerasH5(bytes: Uint8Array, source: string): Promise<KerasH5Contents> {
  return withH5File(bytes, source, (file) => readContents(file, source));
}

/**
 * Every float dataset of any HDF5 file by path (`inputs/dense_1_input`), as float32: for the reference inputs and
 * outputs that Keras test fixtures save beside a model (`*_inputs_and_outputs.h5`).
 */
export async function readH5FloatDatasets(
  bytes: Uint8Array,
  source: string,
): Promise<Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>> {
  return withH5File(bytes, source, (file) => {
    const found = new Map<string, { shape: number[]; values: Float32Array }>();
    const walk = (group: Group, prefix: string): void => {
      for (const name of group.keys()) {
        const entry = group.get(name);
        if (entry instanceof h5wasm.Group) walk(entry, `${prefix}${name}/`);
        else if (entry instanceof h5wasm.Dataset && (entry.value instanceof Float32Array || entry.value instanceof Float64Array)) {
          found.set(`${prefix}${name}`, { shape: entry.shape ?? [], values: float32Values(entry, source, `${prefix}${name}`) });
        }
      }
    };
    walk(file, '');
    return found;
  });
}

/** Opens bytes as an HDF5 file in h5wasm's in-memory file system for the duration of `read`. */
async function withH5File<T>(bytes: Uint8Array, source: string, read: (file: H5File) => T): Promise<T> {
  if (!hasHdf5Signature(bytes)) {
    throw kerasImportError({ kind: 'NotKerasH5', source, reason: `no HDF5 signature in its ${bytes.byteLength} bytes` });
  }
  const module = await h5wasm.ready;
  const fs = module.FS as unknown as { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  const path = `/keras-import-${process.pid}-${fileCounter++}.h5`;
  fs.writeFile(path, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (cause) {
      throw kerasImportError({ kind: 'NotKerasH5', source, reason: `HDF5 could not open it (${bytes.byteLength} bytes)` }, cause);
    }
    try {
      return read(file);
    } catch (cause) {
      if (isKerasImportError(cause)) throw cause;
      throw kerasImportError({ kind: 'NotKerasH5', source, reason: 'HDF5 could not read it' }, cause);
    }
  } finally {
    file?.close();
    fs.unlink(path);
  }
}

const hdf5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5's superblock signature sits at byte 0, or after a user block of 512, 1024, 2048, ... bytes. */
function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + hdf5Signature.length <= bytes.byteLength; offset = offset === 0 ? 512 : offset * 2) {
    if (hdf5Signature.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

function readContents(file: H5File, source: string): KerasH5Contents {
  const modelWeights = file.get('model_weights');
  const isModel = modelWeights instanceof h5wasm.Group;
  const root: Group = isModel ? modelWeights : file;
  const layerNames = stringListAttribute(root, 'layer_names');
  if (layerNames === undefined) {
    throw kerasImportError({
      kind: 'NotKerasH5',
      source,
      reason: isModel ? "group 'model_weights' has no 'layer_names' attribute" : "neither a 'model_weights' group nor a root 'layer_names' attribute",
    });
  }
  const configText = stringAttribute(file, 'model_config');
  let modelConfig: unknown;
  if (configText !== undefined) {
    try {
      modelConfig = JSON.parse(configText);
    } catch (cause) {
      throw kerasImportError({ kind: 'NotKerasH5', source, reason: "attribute 'model_config' is not JSON" }, cause);
    }
  }
  const layers = layerNames.map((layerName) => {
    const group = root.get(layerName);
    if (!(group instanceof h5wasm.Group)) {
      throw kerasImportError({ kind: 'NotKerasH5', source, reason: `'layer_names' lists '${layerName}' but there is no group of that name` });
    }
    const weightNames = stringListAttribute(group, 'weight_names') ?? [];
    const weights = weightNames.map((weightName) => {
      const dataset = group.get(weightName);
      if (!(dataset instanceof h5wasm.Dataset)) {
        throw kerasImportError({
          kind: 'NotKerasH5',
          source,
          reason: `layer '${layerName}' lists weight '${weightName}' but there is no dataset of that name`,
        });
      }
      return { name: weightName, shape: dataset.shape ?? [], values: float32Values(dataset, source, `${layerName}/${weightName}`) };
    });
    return { name: layerName, weights };
  });
  return {
    kind: isModel ? 'model' : 'weights',
    source,
    kerasVersion: stringAttribute(root, 'keras_version') ?? stringAttribute(file, 'keras_version'),
    backend: stringAttribute(root, 'backend') ?? stringAttribute(file, 'backend'),
    modelConfig,
    layers,
  };
}

function float32Values(dataset: Dataset, source: string, at: string): Float32Array {
  const value = dataset.value;
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw kerasImportError({ kind: 'NotKerasH5', source, reason: `weight '${at}' is ${JSON.stringify(dataset.dtype)}, not float32 or float64` });
}

function attributeValue(holder: Group, name: string): Attribute['value'] | undefined {
  const attrs = holder.attrs;
  return Object.hasOwn(attrs, name) ? attrs[name]!.value : undefined;
}

function stringAttribute(holder: Group, name: string): string | undefined {
  const value = attributeValue(holder, name);
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return typeof value === 'string' ? value : undefined;
}

/**
 * A string-list attribute; Keras splits lists past HDF5's 64 KiB attribute limit into `name0`, `name1`, ... (as
 * `load_attributes_from_hdf5_group` reads them). An empty list comes back from h5wasm as an empty numeric array.
 */
function stringListAttribute(holder: Group, name: string): string[] | undefined {
  const whole = attributeValue(holder, name);
  if (whole !== undefined) return toStrings(whole);
  if (attributeValue(holder, `${name}0`) === undefined) return undefined;
  const parts: string[] = [];
  for (let chunk = 0; ; chunk++) {
    const part = attributeValue(holder, `${name}${chunk}`);
    if (part === undefined) return parts;
    parts.push(...toStrings(part));
  }
}

function toStrings(value: Attribute['value']): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((item) =>
      typeof item === 'string' ? item : item instanceof Uint8Array ? new TextDecoder().decode(item) : JSON.stringify(item),
    );
  return [];
}
