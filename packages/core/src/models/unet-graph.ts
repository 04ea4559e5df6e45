import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../random/seeded-random.ts';
import { classificationHead } from './mlp.ts';
import { checkUNetShape, unetFilters } from './unet-shape.ts';
import type { UNetShapeCheck } from './unet-shape.ts';

/** A kernel initialiser, as tfjs-layers makes them (its class is not exported under a name). */
type Initializer = ReturnType<typeof tfl.initializers.heNormal>;

/** What a U-Net's layers are built with: seeded initialisers by layer name, and a typed `apply`. */
export interface UNetKit {
  /** He-normal kernel initialiser seeded by (seed, layer name): equal seeds give bit-identical weights anywhere. */
  readonly he: (name: string) => Initializer;
  readonly apply: (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => tfl.SymbolicTensor;
}

export function unetKit(seed: number): UNetKit {
  return {
    he: (name) => tfl.initializers.heNormal({ seed: deriveSeed(seed, 'init', name) }),
    apply: (layer, x) => layer.apply(x) as tfl.SymbolicTensor,
  };
}

/** The layers that differ between the 2D and the 3D U-Net. */
export interface UNetBlocks {
  /** Convolution `n` (1 or 2) of a level: the 3x3 (3x3x3) 'same' relu convolution `${prefix}_conv${n}`, or its stand-in. */
  conv(x: tfl.SymbolicTensor, prefix: string, n: 1 | 2, filters: number): tfl.SymbolicTensor;
  /** The 2x max pooling named `name`. */
  pool(name: string): tfl.layers.Layer;
  /** Doubles the resolution into `filters` channels; its convolution is `dec${level}_upconv`. */
  upConv(x: tfl.SymbolicTensor, level: number, filters: number): tfl.SymbolicTensor;
  /** The 1x1 convolution of the given config (the `segmentation` head). */
  head(config: { name: string; filters: number; kernelSize: 1; activation: 'sigmoid' | 'softmax'; kernelInitializer: Initializer }): tfl.layers.Layer;
}

export interface UNetGraphSpec extends UNetShapeCheck {
  /** The tfjs model's name: `unet2d`. */
  readonly name: string;
  readonly dropout: number;
  readonly classCount: number;
  readonly seed: number;
}

/**
 * The U-Net's graph (Ronneberger et al. 2015; Çiçek et al. 2016 in 3D), from the blocks of its dimension: checks
 * the shape (see checkUNetShape) and the dropout rate, then per level down a convolution pair (`encL`) kept as the
 * skip and a pooling (`encL_pool`); the bottleneck pair and optional `bottleneck_dropout`; per level up the
 * up-convolution, `decL_concat` of the skip and the upsampled map, a convolution pair (`decL`); the `segmentation`
 * head (1 sigmoid channel for 2 classes, else softmax over classes, Glorot-uniform seeded). Layer names and order are
 * what checkpoints hold: keep them.
 */
export function buildUNetGraph(spec: UNetGraphSpec, blocks: UNetBlocks, kit: UNetKit): tfl.LayersModel {
  const { depth, baseFilters, dropout } = spec;
  const head = classificationHead(spec.classCount);
  checkUNetShape(spec);
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`${spec.model} dropout must be in [0, 1), got ${dropout}`);
  const { apply } = kit;
  const convPair = (x: tfl.SymbolicTensor, prefix: string, filters: number) => blocks.conv(blocks.conv(x, prefix, 1, filters), prefix, 2, filters);
  const input = tfl.input({ shape: [...spec.sides.map(([, side]) => side), spec.channels], name: 'input_1' });
  const skips: tfl.SymbolicTensor[] = [];
  let x = input;
  for (let level = 1; level <= depth; level++) {
    x = convPair(x, `enc${level}`, unetFilters(baseFilters, level));
    skips.push(x);
    x = apply(blocks.pool(`enc${level}_pool`), x);
  }
  x = convPair(x, 'bottleneck', unetFilters(baseFilters, depth + 1));
  if (dropout > 0) x = apply(tfl.layers.dropout({ name: 'bottleneck_dropout', rate: dropout }), x);
  for (let level = depth; level >= 1; level--) {
    const filters = unetFilters(baseFilters, level);
    x = blocks.upConv(x, level, filters);
    x = apply(tfl.layers.concatenate({ name: `dec${level}_concat`, axis: -1 }), [skips[level - 1]!, x]);
    x = convPair(x, `dec${level}`, filters);
  }
  const segmentation = blocks.head({
    name: 'segmentation',
    filters: head.units,
    kernelSize: 1,
    activation: head.activation,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 'init', 'segmentation') }),
  });
  return tfl.model({ inputs: input, outputs: apply(segmentation, x), name: spec.name });
}
