import type { ImageSplit } from '@tessera/core/data/image-shard-format';
import { decodeBottleneckFeatures, encodeBottleneckFeatures } from '@tessera/core/training/bottleneck-features';
import type { BottleneckFeatureCache } from '@tessera/core/training/bottleneck-features';
import { isObjectNotFound } from '@tessera/storage/object-store';
import type { ObjectStore } from '@tessera/storage/object-store';

export interface StoreFeatureCacheOptions {
  readonly objects: ObjectStore;
  readonly jobId: string;
  /** This rank's share of each split: `[start, end)` of the data set's records (`rankRange`). */
  readonly ranges: Readonly<Partial<Record<ImageSplit, { readonly start: number; readonly end: number }>>>;
  /** One line per split: computed and stored, or read back. */
  readonly note: (message: string) => Promise<void>;
}

/** `jobs/<jobId>/features/<split>/<start>-<end>.tsbf`: named by the records it covers, not by rank. */
export function featureKey(jobId: string, split: ImageSplit, range: { start: number; end: number }): string {
  return `jobs/${jobId}/features/${split}/${range.start}-${range.end}.tsbf`;
}

/**
 * Bottleneck features kept in the object store under the job's prefix, so a run that resumes (a new generation,
 * another worker, a coordinator restart) reads them instead of running the base again. Keyed by the records a rank
 * holds, so any rank that holds the same share reuses them; a job's base is fixed while features are in use (the
 * spec allows cached features only before any fine-tune), so the key needs no weight hash. An unreadable object is
 * computed again and replaced.
 */
export function storeFeatureCache(options: StoreFeatureCacheOptions): BottleneckFeatureCache {
  return async (split, compute) => {
    const range = options.ranges[split];
    if (range === undefined) throw new RangeError(`no record range for the ${split} split`);
    const key = featureKey(options.jobId, split, range);
    let reason = 'none cached';
    try {
      const features = decodeBottleneckFeatures(await options.objects.get(key), key);
      await options.note(`read cached bottleneck features of ${split} images ${range.start}-${range.end} from ${key}`);
      return features;
    } catch (err) {
      if (!isObjectNotFound(err)) reason = `the cached object was unreadable (${err instanceof Error ? err.message : String(err)})`;
    }
    const features = await compute();
    await options.objects.put(key, encodeBottleneckFeatures(features));
    await options.note(
      `computed bottleneck features of ${split} images ${range.start}-${range.end} (${features.count} x [${features.shape.join(', ')}]; ${reason}) and stored them at ${key}`,
    );
    return features;
  };
}
