import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

export interface UpConv3dArgs extends LayerArgs {
  readonly filters: number;
  /** Default Glorot-uniform (Keras's); pass a seeded one for reproducible weights. */
  readonly kernelInitializer?: Initializer | undefined;
}

/**
 * A 2x2x2 stride-2 transposed 3D convolution, the 3D U-Net's up-convolution (Çiçek et al. 2016), with the weights
 * of Keras's `Conv3DTranspose(filters, 2, strides=2)`: `kernel` [2, 2, 2, filters, inChannels] and `bias` [filters].
 *
 * Why not tfjs' own `conv3dTranspose`: tfjs-core 4.22 registers no gradient for its kernel (Conv3DBackpropInputV2),
 * so it cannot train on any backend. With kernel = stride = 2 the output blocks do not overlap, so the layer is one
 * matrix product [voxels, in] x [in, 8 filters] and a depth-to-space rearrangement (two rank-4 transposes), whose
 * gradients every backend has. Cost: 8·in·filters multiply-adds per input voxel, as the transposed convolution.
 */
export class UpConv3d extends tfl.layers.Layer {
  static readonly className = 'TesseraUpConv3D';
  readonly filters: number;
  private readonly kernelInitializer: Initializer;
  private kernel: tfl.LayerVariable | undefined;
  private bias: tfl.LayerVariable | undefined;

  constructor(args: UpConv3dArgs) {
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1) throw new RangeError(`UpConv3d filters must be a positive integer, got ${args.filters}`);
    this.filters = args.filters;
    this.kernelInitializer = args.kernelInitializer ?? tfl.initializers.glorotUniform({});
    this.inputSpec = [{ ndim: 5 }];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    const inChannels = shape[4];
    if (typeof inChannels !== 'number') throw new RangeError(`UpConv3d ${this.name} needs a known channel count, got ${JSON.stringify(shape)}`);
    this.kernel = this.addWeight('kernel', [2, 2, 2, this.filters, inChannels], 'float32', this.kernelInitializer);
    this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, d, h, w] = singleShape(inputShape);
    const double = (side: number | null | undefined) => (typeof side === 'number' ? side * 2 : null);
    return [n ?? null, double(d), double(h), double(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.kernel === undefined || this.bias === undefined) throw new Error(`UpConv3d ${this.name} called before it was built`);
      const [n = 0, d = 0, h = 0, w = 0, inChannels = 0] = x.shape;
      const f = this.filters;
      // [2, 2, 2, f, in] -> [in, (a, b, c, f)]: column ((a·2 + b)·2 + c)·f + o feeds output voxel (2i+a, 2j+b, 2k+c).
      const kernel = tf.reshape(tf.transpose(this.kernel.read(), [4, 0, 1, 2, 3]), [inChannels, 8 * f]);
      const y = tf.matMul(tf.reshape(x, [n * d * h * w, inChannels]), kernel);
      // (n, d, h, w, a, b, c, o) -> (n, d, a, h, b, w, c, o) in two rank-4 transposes: move a before (h, w), then b
      // before w; c already sits beside w.
      const da = tf.transpose(tf.reshape(y, [n * d, h * w, 2, 4 * f]), [0, 2, 1, 3]);
      const hb = tf.transpose(tf.reshape(da, [n * d * 2 * h, w, 2, 2 * f]), [0, 2, 1, 3]);
      return tf.add(tf.reshape(hb, [n, 2 * d, 2 * h, 2 * w, f]), this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters };
  }
}

tf.serialization.registerClass(UpConv3d);

function singleShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  const first = shape[0];
  return Array.isArray(first) ? first : (shape as tfl.Shape);
}
