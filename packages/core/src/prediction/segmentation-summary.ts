import { comparePredictionIds } from './predictions-csv.ts';
import { caseFileStem } from './segmentation-outputs.ts';

/**
 * The `summary.json` a segmentation-prediction job leaves as its result, and the per-case scores it is made of. Each
 * rank scores its own cases; rank 0 merges every rank's part, so the file does not depend on the worker count.
 */

/** One predicted case. `dice`, `iou` and `trueVoxels` are null for an unlabeled (test) case. */
export interface SegmentationCaseResult {
  readonly id: string;
  readonly dice: number | null;
  readonly iou: number | null;
  /** Voxels of any foreground class in the predicted mask. */
  readonly predictedVoxels: number;
  readonly trueVoxels: number | null;
  /**
   * The case's DICOM Segmentation (segmentationDicomSegKey) when its data set kept DICOM originals for it, else null;
   * absent in summaries written before DICOM SEG output existed.
   */
  readonly dicomSeg?: string | null;
}

export interface SegmentationPredictionSummary {
  /** This prediction job's id. */
  readonly job: string;
  /** The segmentation job whose checkpoint predicted, and that checkpoint's step. */
  readonly sourceJob: string;
  readonly step: number;
  readonly dataset: string;
  readonly datasetSha256: string;
  readonly split: string;
  readonly threshold: number;
  /** Sorted by id (numbers by value), whichever rank predicted them. */
  readonly cases: readonly SegmentationCaseResult[];
  /** Means over the labeled cases; null when the split has none. */
  readonly meanDice: number | null;
  readonly meanIou: number | null;
}

/** What one rank predicted: its cases' scores. */
export interface SegmentationPredictionPart {
  readonly cases: readonly SegmentationCaseResult[];
}

/**
 * Foreground labels of a case from the model's output, `channels` values per voxel: one sigmoid channel gives 1 where
 * the probability is above `threshold` (as the trainer's `maskScores` counts it: an undecided 0.5 is background), else 0; a softmax over several gives each voxel its most probable class
 * (0 is background; `threshold` is not used). One pass over the probabilities.
 */
export function labelsFromProbabilities(probabilities: ArrayLike<number>, channels: number, threshold: number): Uint8Array {
  if (!Number.isInteger(channels) || channels < 1 || channels > 255) throw new RangeError(`a mask head has 1..255 channels, got ${channels}`);
  if (probabilities.length % channels !== 0) throw new RangeError(`${probabilities.length} probabilities are not a whole number of ${channels}-channel voxels`);
  const voxels = probabilities.length / channels;
  const labels = new Uint8Array(voxels);
  if (channels === 1) {
    for (let i = 0; i < voxels; i += 1) labels[i] = (probabilities[i] as number) > threshold ? 1 : 0;
    return labels;
  }
  for (let i = 0; i < voxels; i += 1) {
    let best = 0;
    let bestValue = probabilities[i * channels] as number;
    for (let c = 1; c < channels; c += 1) {
      const value = probabilities[i * channels + c] as number;
      if (value > bestValue) {
        best = c;
        bestValue = value;
      }
    }
    labels[i] = best;
  }
  return labels;
}

/**
 * Dice 2|A∩B| / (|A| + |B|) and IoU |A∩B| / |A∪B| of a predicted against a true label mask, as the trainer's metric
 * (segmentation-loss.ts maskScores) defines them: a class empty in both scores 1, and with several foreground classes
 * the scores are the mean over classes 1..classCount-1. Voxel counts are of any foreground class.
 */
export function caseAgreement(
  predicted: Uint8Array,
  truth: Uint8Array,
  classCount: number,
): { dice: number; iou: number; predictedVoxels: number; trueVoxels: number } {
  if (predicted.length !== truth.length) throw new RangeError(`predicted mask has ${predicted.length} voxels, the true one ${truth.length}`);
  const classes = Math.max(2, classCount);
  const inPredicted = new Float64Array(classes);
  const inTruth = new Float64Array(classes);
  const inBoth = new Float64Array(classes);
  for (let i = 0; i < predicted.length; i += 1) {
    const p = predicted[i] as number;
    const t = truth[i] as number;
    if (p < classes) inPredicted[p] = (inPredicted[p] as number) + 1;
    if (t < classes) inTruth[t] = (inTruth[t] as number) + 1;
    if (p === t && p < classes) inBoth[p] = (inBoth[p] as number) + 1;
  }
  let dice = 0;
  let iou = 0;
  for (let c = 1; c < classes; c += 1) {
    const sizes = (inPredicted[c] as number) + (inTruth[c] as number);
    const both = inBoth[c] as number;
    dice += sizes === 0 ? 1 : (2 * both) / sizes;
    iou += sizes === 0 ? 1 : both / (sizes - both);
  }
  const foreground = (counts: Float64Array): number => counts.reduce((sum, n, c) => (c === 0 ? sum : sum + n), 0);
  return { dice: dice / (classes - 1), iou: iou / (classes - 1), predictedVoxels: foreground(inPredicted), trueVoxels: foreground(inTruth) };
}

/** Scores one case; `truth` undefined (an unlabeled case) leaves Dice, IoU and the true count null. */
export function scoreCase(id: string, predicted: Uint8Array, truth: Uint8Array | undefined, classCount: number): SegmentationCaseResult {
  if (truth === undefined) {
    let predictedVoxels = 0;
    for (const label of predicted) if (label !== 0) predictedVoxels += 1;
    return { id, dice: null, iou: null, predictedVoxels, trueVoxels: null };
  }
  return { id, ...caseAgreement(predicted, truth, classCount) };
}

/**
 * Joins every rank's cases into the summary: sorted by id, means over the labeled ones. Two cases with one id, or
 * whose ids give one output file name, would overwrite each other's mask and overlay, so they fail naming both.
 */
export function mergeSegmentationParts(
  parts: readonly SegmentationPredictionPart[],
  about: Omit<SegmentationPredictionSummary, 'cases' | 'meanDice' | 'meanIou'>,
): SegmentationPredictionSummary {
  const stems = new Map<string, string>();
  const cases: SegmentationCaseResult[] = [];
  for (const part of parts) {
    for (const result of part.cases) {
      const stem = caseFileStem(result.id);
      const other = stems.get(stem);
      if (other !== undefined) {
        throw new Error(other === result.id ? `two cases share the id '${result.id}'` : `cases '${other}' and '${result.id}' would share the output name '${stem}'`);
      }
      stems.set(stem, result.id);
      cases.push(result);
    }
  }
  cases.sort((a, b) => comparePredictionIds(a.id, b.id));
  const labeled = cases.filter((c): c is SegmentationCaseResult & { dice: number; iou: number } => c.dice !== null && c.iou !== null);
  const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length);
  return { ...about, cases, meanDice: mean(labeled.map((c) => c.dice)), meanIou: mean(labeled.map((c) => c.iou)) };
}
