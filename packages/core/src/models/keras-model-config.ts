import * as tfl from '@tensorflow/tfjs-layers';
import { kerasImportError } from './keras-import-error.ts';

type Json = Record<string, unknown>;
type Activation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'softmax' | 'softplus' | 'softsign' | 'tanh' | 'elu' | 'selu' | 'hardSigmoid';

/** Keras activation names the tfjs layers compute identically (Keras `hard_sigmoid` is tfjs `hardSigmoid`). */
const activations: Readonly<Record<string, Activation>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  tanh: 'tanh',
  elu: 'elu',
  selu: 'selu',
  hard_sigmoid: 'hardSigmoid',
};

interface LayerSpec {
  readonly className: string;
  readonly name: string;
  readonly config: Json;
  readonly inbound: readonly string[];
}

/**
 * Builds the tfjs model a Keras `model_config` describes (the JSON that `model.save()` stores and `model.to_json()`
 * returns): `Sequential` from Keras 2.0-2.1 (a list of layers) and 2.2+ (`{name, layers}`), and functional
 * `Model`/`Functional` graphs whose layers each take one input. Layer names are kept, so weights then load by name.
 *
 * Only layers whose tfjs counterpart computes the same function are accepted: InputLayer, Dense, Conv1D, Conv2D,
 * BatchNormalization, Activation, ReLU, Softmax, Flatten, Max/AveragePooling1D/2D, GlobalAverage/MaxPooling1D/2D and
 * Dropout, channels-last only. Anything else, or a setting tfjs would silently drop (ReLU thresholds, channels-first
 * data, shared layers), is a KerasImportError naming the layer, never a model that predicts differently.
 * Initialisers, regularisers and constraints are ignored: the weights come from the file.
 */
export function buildKerasModel(modelConfig: unknown, source: string): tfl.LayersModel {
  const top = asObject(modelConfig, source, '(model)', 'model_config is not an object');
  const className = String(top.class_name);
  const config = top.config;
  if (className === 'Sequential') {
    const layerList = Array.isArray(config) ? config : asObject(config, source, '(model)', 'Sequential config is not an object').layers;
    if (!Array.isArray(layerList)) throw unsupported(source, '(model)', 'Sequential config has no layer list');
    const name = !Array.isArray(config) && typeof (config as Json).name === 'string' ? String((config as Json).name) : 'sequential';
    const model = tfl.sequential({ name });
    layerList.forEach((entry, index) => {
      const spec = layerSpec(entry, source, index);
      if (spec.className === 'InputLayer') {
        model.add(tfl.layers.inputLayer({ name: spec.name, batchInputShape: batchInputShape(spec, source, true) }));
        return;
      }
      const shape = index === 0 ? batchInputShape(spec, source, true) : batchInputShape(spec, source, false);
      model.add(createLayer(spec, source, shape));
    });
    return model;
  }
  if (className === 'Model' || className === 'Functional') return buildFunctional(asObject(config, source, '(model)', 'config is not an object'), source);
  throw kerasImportError({ kind: 'UnsupportedLayer', source, layer: '(model)', className });
}

function buildFunctional(config: Json, source: string): tfl.LayersModel {
  const layerList = config.layers;
  if (!Array.isArray(layerList)) throw unsupported(source, '(model)', 'functional config has no layer list');
  const tensors = new Map<string, tfl.SymbolicTensor>();
  const inputs: tfl.SymbolicTensor[] = [];
  layerList.forEach((entry, index) => {
    const spec = layerSpec(entry, source, index);
    if (spec.className === 'InputLayer') {
      const shape = batchInputShape(spec, source, true)!;
      const input = tfl.input({ batchShape: shape, name: spec.name });
      tensors.set(spec.name, input);
      inputs.push(input);
      return;
    }
    if (spec.inbound.length !== 1) {
      throw unsupported(source, spec.name, `layer takes ${spec.inbound.length} inputs; only single-input, unshared layers are supported`);
    }
    const from = tensors.get(spec.inbound[0]!);
    if (from === undefined) throw unsupported(source, spec.name, `its input '${spec.inbound[0]}' is not defined before it`);
    tensors.set(spec.name, createLayer(spec, source, undefined).apply(from) as tfl.SymbolicTensor);
  });
  const outputNames = endpointNames(config.output_layers, source);
  const outputs = outputNames.map((name) => {
    const tensor = tensors.get(name);
    if (tensor === undefined) throw unsupported(source, name, 'named as a model output but not defined');
    return tensor;
  });
  return tfl.model({ inputs, outputs, name: typeof config.name === 'string' ? config.name : 'model' });
}

function createLayer(spec: LayerSpec, source: string, batchShape: number[] | undefined): tfl.layers.Layer {
  const c = spec.config;
  const base = { name: spec.name, ...(batchShape === undefined ? {} : { batchInputShape: batchShape }) };
  const layer = spec.name;
  if (c.dtype !== undefined && c.dtype !== 'float32') throw unsupported(source, layer, `dtype ${JSON.stringify(c.dtype)} (only float32)`);
  if (c.data_format !== undefined && c.data_format !== 'channels_last') {
    throw unsupported(source, layer, `data_format ${JSON.stringify(c.data_format)} (only channels_last)`);
  }
  switch (spec.className) {
    case 'Dense':
      return tfl.layers.dense({ ...base, units: num(c.units, source, layer, 'units'), activation: activation(c.activation, source, layer), useBias: c.use_bias !== false });
    case 'Conv1D':
    case 'Conv2D': {
      const args = {
        ...base,
        filters: num(c.filters, source, layer, 'filters'),
        kernelSize: nums(c.kernel_size, source, layer, 'kernel_size'),
        strides: nums(c.strides ?? 1, source, layer, 'strides'),
        dilationRate: nums(c.dilation_rate ?? 1, source, layer, 'dilation_rate'),
        padding: padding(c.padding, source, layer),
        activation: activation(c.activation, source, layer),
        useBias: c.use_bias !== false,
      };
      if (spec.className === 'Conv2D') {
        return tfl.layers.conv2d({ ...args, kernelSize: pair(args.kernelSize), strides: pair(args.strides), dilationRate: pair(args.dilationRate) });
      }
      return tfl.layers.conv1d({ ...args, kernelSize: args.kernelSize[0]!, strides: args.strides[0]!, dilationRate: args.dilationRate[0]! });
    }
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
      if (axis.length !== 1) throw unsupported(source, layer, `batch normalization over axes [${axis.join(', ')}] (only one axis)`);
      if (c.renorm === true) throw unsupported(source, layer, 'batch renormalization');
      return tfl.layers.batchNormalization({
        ...base,
        axis: num(axis[0], source, layer, 'axis'),
        epsilon: num(c.epsilon ?? 0.001, source, layer, 'epsilon'),
        momentum: num(c.momentum ?? 0.99, source, layer, 'momentum'),
        center: c.center !== false,
        scale: c.scale !== false,
      });
    }
    case 'Activation':
      return tfl.layers.activation({ ...base, activation: activation(c.activation, source, layer) });
    case 'ReLU': {
      if ((c.threshold ?? 0) !== 0) throw unsupported(source, layer, `ReLU threshold ${String(c.threshold)} (only 0)`);
      const slope = num(c.negative_slope ?? 0, source, layer, 'negative_slope');
      const maxValue = c.max_value === null || c.max_value === undefined ? undefined : num(c.max_value, source, layer, 'max_value');
      if (slope !== 0 && maxValue !== undefined) throw unsupported(source, layer, 'ReLU with both negative_slope and max_value');
      if (slope !== 0) return tfl.layers.leakyReLU({ ...base, alpha: slope });
      return tfl.layers.reLU({ ...base, ...(maxValue === undefined ? {} : { maxValue }) });
    }
    case 'Softmax':
      return tfl.layers.softmax({ ...base, axis: num(c.axis ?? -1, source, layer, 'axis') });
    case 'Flatten':
      return tfl.layers.flatten(base);
    case 'Dropout':
      return tfl.layers.dropout({ ...base, rate: num(c.rate, source, layer, 'rate') });
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const poolSize = nums(c.pool_size ?? 2, source, layer, 'pool_size');
      const strides = c.strides === null || c.strides === undefined ? poolSize : nums(c.strides, source, layer, 'strides');
      const args = { ...base, poolSize, strides, padding: padding(c.padding, source, layer) };
      const one = { ...args, poolSize: poolSize[0]!, strides: strides[0]! };
      if (spec.className === 'MaxPooling1D') return tfl.layers.maxPooling1d(one);
      if (spec.className === 'AveragePooling1D') return tfl.layers.averagePooling1d(one);
      const two = { ...args, poolSize: pair(poolSize), strides: pair(strides) };
      if (spec.className === 'MaxPooling2D') return tfl.layers.maxPooling2d(two);
      return tfl.layers.averagePooling2d(two);
    }
    case 'GlobalAveragePooling1D':
      return tfl.layers.globalAveragePooling1d(base);
    case 'GlobalMaxPooling1D':
      return tfl.layers.globalMaxPooling1d(base);
    case 'GlobalAveragePooling2D':
      return tfl.layers.globalAveragePooling2d(base);
    case 'GlobalMaxPooling2D':
      return tfl.layers.globalMaxPooling2d(base);
    default:
      throw kerasImportError({ kind: 'UnsupportedLayer', source, layer, className: spec.className });
  }
}

function layerSpec(entry: unknown, source: string, index: number): LayerSpec {
  const layer = asObject(entry, source, `#${index}`, 'layer entry is not an object');
  const config = asObject(layer.config, source, `#${index}`, 'layer has no config object');
  const name = typeof config.name === 'string' ? config.name : typeof layer.name === 'string' ? layer.name : `#${index}`;
  return { className: String(layer.class_name), name, config, inbound: inboundNames(layer.inbound_nodes, source, name) };
}

/** Keras 2 `inbound_nodes`: one list per call of the layer, each of `[layer_name, node_index, tensor_index, kwargs]`. */
function inboundNames(nodes: unknown, source: string, layer: string): string[] {
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes) || nodes.length !== 1 || !Array.isArray(nodes[0])) {
    throw unsupported(source, layer, 'layer is called more than once (shared) or its inbound_nodes are not in the Keras 2 format');
  }
  return (nodes[0] as unknown[]).map((edge) => {
    if (!Array.isArray(edge) || typeof edge[0] !== 'string' || edge[1] !== 0 || edge[2] !== 0) {
      throw unsupported(source, layer, `inbound edge ${JSON.stringify(edge)} is not a plain [name, 0, 0, ...] reference`);
    }
    return edge[0];
  });
}

function endpointNames(value: unknown, source: string): string[] {
  if (!Array.isArray(value)) throw unsupported(source, '(model)', 'functional config has no output_layers');
  return value.map((edge) => {
    if (!Array.isArray(edge) || typeof edge[0] !== 'string') throw unsupported(source, '(model)', `output ${JSON.stringify(edge)} is not [name, 0, 0]`);
    return edge[0];
  });
}

function batchInputShape(spec: LayerSpec, source: string, required: boolean): number[] | undefined {
  const shape = spec.config.batch_input_shape ?? spec.config.batch_shape;
  if (shape === undefined || shape === null) {
    if (required) throw unsupported(source, spec.name, 'the first layer has no batch_input_shape');
    return undefined;
  }
  if (!Array.isArray(shape) || shape.slice(1).some((d) => typeof d !== 'number')) {
    throw unsupported(source, spec.name, `batch_input_shape ${JSON.stringify(shape)} needs fixed sizes after the batch axis`);
  }
  return shape.map((d) => (typeof d === 'number' ? d : null)) as number[];
}

function activation(value: unknown, source: string, layer: string): Activation {
  const name = value ?? 'linear';
  const mapped = typeof name === 'string' ? activations[name] : undefined;
  if (mapped === undefined) throw unsupported(source, layer, `activation ${JSON.stringify(name)} is not supported`);
  return mapped;
}

function padding(value: unknown, source: string, layer: string): 'valid' | 'same' {
  const p = value ?? 'valid';
  if (p !== 'valid' && p !== 'same') throw unsupported(source, layer, `padding ${JSON.stringify(p)} (only valid or same)`);
  return p;
}

function num(value: unknown, source: string, layer: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw unsupported(source, layer, `${field} ${JSON.stringify(value)} is not a number`);
  return value;
}

function nums(value: unknown, source: string, layer: string, field: string): number[] {
  const list = Array.isArray(value) ? value : [value, value];
  return list.map((v) => num(v, source, layer, field));
}

function pair(values: readonly number[]): [number, number] {
  return [values[0]!, values[1] ?? values[0]!];
}

function asObject(value: unknown, source: string, layer: string, reason: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unsupported(source, layer, reason);
  return value as Json;
}

function unsupported(source: string, layer: string, reason: string) {
  return kerasImportError({ kind: 'UnsupportedConfig', source, layer, reason });
}
