import type { ObjectStore } from '@tessera/storage/object-store';
import {
  CHECKPOINT_PART_NAMES, checkpointPrefixForJob, isCheckpointPartName, listCheckpoints, readCheckpointPart, type CheckpointSummary,
} from '@tessera/storage/checkpoints/checkpoint-store';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobStore } from '../store/job-store.ts';

/**
 * A job's checkpoints as the public API shows them: the complete ones, and their files verified against their
 * manifests before a byte leaves the coordinator.
 */
export class CheckpointService {
  constructor(
    private readonly store: JobStore,
    private readonly objects: ObjectStore,
  ) {}

  /** Complete checkpoints, highest step first. Rejects with JobNotFound for an unknown job. */
  async list(jobId: string): Promise<CheckpointSummary[]> {
    return listCheckpoints(this.objects, await this.prefixOf(jobId));
  }

  /**
   * One verified file of the checkpoint at `step`. Whole-file reads: checkpoint parts are model-sized (Sonar's
   * weights are 4 KiB); the caller streams them out in chunks.
   */
  async readFile(jobId: string, step: number, file: string): Promise<Buffer> {
    if (!isCheckpointPartName(file)) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'file', message: `"${file}" is not one of ${CHECKPOINT_PART_NAMES.join(', ')}` });
    }
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'step', message: `must be a non-negative integer, got ${step}` });
    }
    const manifestKey = `${await this.prefixOf(jobId)}/${step}/manifest.json`;
    try {
      return await readCheckpointPart(this.objects, manifestKey, file);
    } catch (cause) {
      const kind = (cause as { name?: string; kind?: string }).name === 'CheckpointError' ? (cause as { kind: string }).kind : undefined;
      if (kind === 'CheckpointNotFound' || kind === 'IncompleteCheckpoint') throw new CoordinatorError({ kind: 'CheckpointNotFound', jobId, step }, { cause });
      if (kind === 'CorruptCheckpoint' || kind === 'InvalidCheckpointManifest') {
        throw new CoordinatorError({ kind: 'CorruptData', what: `checkpoint ${step} of job ${jobId}`, message: (cause as Error).message }, { cause });
      }
      throw cause;
    }
  }

  private async prefixOf(jobId: string): Promise<string> {
    if (!jobId) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'job_id', message: 'required' });
    if (!(await this.store.getJob(jobId))) throw new CoordinatorError({ kind: 'JobNotFound', jobId });
    return checkpointPrefixForJob(jobId);
  }
}
