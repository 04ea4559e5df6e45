import type { SegmentationSpec } from '@tessera/core/jobs/job-spec';
import type { SegmentationInfo } from '@tessera/storage/datasets/segmentation-manifest';

/**
 * Why a segmentation job's model cannot train on a data set, naming the spec field at fault, or undefined when it
 * can: the model's dimensions must be the data set's (unet2d for slices, unet3d for volumes), it takes one channel,
 * and a 2D model takes slices of exactly the stored size (2D sets are resized at ingest). A 3D patch may exceed a
 * volume along an axis (the volume is padded with its minimum); {@link paddingNote} says where, for an event line.
 */
export function segmentationInputProblem(model: SegmentationSpec['model'], datasetName: string, info: SegmentationInfo): string | undefined {
  if (model.name !== 'unet2d' && model.name !== 'unet3d') return `model.name: segmentation jobs take unet2d or unet3d, not ${model.name}`;
  const modelDims = model.name === 'unet2d' ? 2 : 3;
  if (modelDims !== info.dims) {
    const holds = info.dims === 2 ? '2D slices' : '3D volumes';
    return `model.name: ${model.name} takes ${modelDims}D input but data set ${datasetName} holds ${holds}: use ${info.dims === 2 ? 'unet2d' : 'unet3d'}`;
  }
  const shape = model.options.inputShape;
  const channels = shape[shape.length - 1];
  if (channels !== 1) return `model.options.inputShape ends in ${channels} channels; segmentation images have 1`;
  if (model.name === 'unet2d') {
    const [height, width] = model.options.inputShape;
    const first = info.cases[0]?.shape;
    const size = info.size ?? (first === undefined ? undefined : { height: first[1], width: first[2] });
    if (size !== undefined && (size.height !== height || size.width !== width)) {
      return `model.options.inputShape is [${shape.join(', ')}] but data set ${datasetName} holds ${size.height}x${size.width} slices: set it to [${size.height}, ${size.width}, 1] or ingest the images again at ${height}x${width}`;
    }
    const odd = info.cases.find((c) => c.shape[1] !== height || c.shape[2] !== width);
    if (odd !== undefined) return `model.options.inputShape is [${shape.join(', ')}] but case '${odd.id}' of data set ${datasetName} is ${odd.shape[1]}x${odd.shape[2]}`;
  }
  return undefined;
}

/** For 3D: a note naming the axes (`depth`, `height`, `width`) along which the patch exceeds a train volume, if any. */
export function paddingNote(model: SegmentationSpec['model'], info: SegmentationInfo): string | undefined {
  if (model.name !== 'unet3d') return undefined;
  const patch = model.options.inputShape;
  const axes = ['depth', 'height', 'width'].filter((_, axis) => info.cases.some((c) => c.split === 'train' && (c.shape[axis] ?? 0) < (patch[axis] ?? 0)));
  if (axes.length === 0) return undefined;
  return `the ${patch.slice(0, 3).join('x')} patch exceeds some train volumes along ${axes.join(', ')}: they are padded with their minimum`;
}
