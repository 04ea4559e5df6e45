/**
 * What importing Keras models and weights (HDF5 files and tfjs layers artifacts) can fail with. Every detail names the
 * source (object key, URL or file name) and, where one is at fault, the layer, so a bad upload is fixed without
 * opening the file in h5py.
 */
export type KerasImportErrorDetail =
  | { readonly kind: 'WeightsUnavailable'; readonly source: string; readonly reason: string }
  | { readonly kind: 'NotKerasH5'; readonly source: string; readonly reason: string }
  | { readonly kind: 'NotTfjsLayersArtifacts'; readonly source: string; readonly reason: string }
  | { readonly kind: 'LayerMissingFromFile'; readonly source: string; readonly layer: string; readonly fileLayers: readonly string[] }
  | { readonly kind: 'LayerMissingFromModel'; readonly source: string; readonly layer: string }
  | {
      readonly kind: 'WeightCountMismatch';
      readonly source: string;
      readonly layer: string;
      readonly modelWeights: readonly string[];
      readonly fileWeights: readonly string[];
    }
  | {
      readonly kind: 'WeightNameMismatch';
      readonly source: string;
      readonly layer: string;
      readonly modelWeight: string;
      readonly fileWeight: string;
    }
  | {
      readonly kind: 'WeightShapeMismatch';
      readonly source: string;
      readonly layer: string;
      readonly weight: string;
      readonly modelShape: readonly number[];
      readonly fileShape: readonly number[];
    }
  | { readonly kind: 'UnsupportedLayer'; readonly source: string; readonly layer: string; readonly className: string }
  | { readonly kind: 'UnsupportedConfig'; readonly source: string; readonly layer: string; readonly reason: string };

/** Thrown by the Keras importers. Branch on `kind`, not on `instanceof`. */
export type KerasImportError = Error & { readonly name: 'KerasImportError' } & KerasImportErrorDetail;

const shape = (dims: readonly number[]) => `[${dims.join(', ')}]`;

function describe(detail: KerasImportErrorDetail): string {
  switch (detail.kind) {
    case 'WeightsUnavailable':
      return `could not read weights from ${detail.source}: ${detail.reason}`;
    case 'NotKerasH5':
      return `${detail.source} is not a Keras HDF5 file: ${detail.reason}`;
    case 'NotTfjsLayersArtifacts':
      return `${detail.source} is not a usable tfjs layers model.json: ${detail.reason}`;
    case 'LayerMissingFromFile':
      return `layer '${detail.layer}' of the model has weights but ${detail.source} holds none for it (file layers: ${detail.fileLayers.join(', ') || 'none'})`;
    case 'LayerMissingFromModel':
      return `${detail.source} holds weights for layer '${detail.layer}', which the model does not have`;
    case 'WeightCountMismatch':
      return `layer '${detail.layer}': the model has ${detail.modelWeights.length} weights (${detail.modelWeights.join(', ')}) but ${detail.source} has ${detail.fileWeights.length} (${detail.fileWeights.join(', ')})`;
    case 'WeightNameMismatch':
      return `layer '${detail.layer}': the model's weight '${detail.modelWeight}' meets '${detail.fileWeight}' in ${detail.source}`;
    case 'WeightShapeMismatch':
      return `layer '${detail.layer}': weight '${detail.weight}' has shape ${shape(detail.modelShape)} in the model but ${shape(detail.fileShape)} in ${detail.source}`;
    case 'UnsupportedLayer':
      return `layer '${detail.layer}' in ${detail.source} is a ${detail.className}, which the importer does not support (supported: InputLayer, Dense, Conv1D, Conv2D, BatchNormalization, Activation, ReLU, Softmax, Flatten, MaxPooling1D/2D, AveragePooling1D/2D, GlobalAveragePooling1D/2D, GlobalMaxPooling1D/2D, Dropout)`;
    case 'UnsupportedConfig':
      return `layer '${detail.layer}' in ${detail.source}: ${detail.reason}`;
  }
}

/** Builds a KerasImportError with a readable message; `cause` keeps the underlying error (h5wasm, JSON, tfjs). */
export function kerasImportError(detail: KerasImportErrorDetail, cause?: unknown): KerasImportError {
  const causeText = cause instanceof Error ? `: ${cause.message}` : '';
  const error = new Error(`${describe(detail)}${causeText}`, cause === undefined ? undefined : { cause });
  error.name = 'KerasImportError';
  return Object.assign(error, detail) as KerasImportError;
}

/** True for errors thrown by the Keras importers; structural, so it holds across bundled copies of this package. */
export function isKerasImportError(error: unknown): error is KerasImportError {
  return error instanceof Error && error.name === 'KerasImportError' && 'kind' in error;
}
