import { createHash } from 'node:crypto';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetManifestKey, readDatasetManifest, uploadDataset, validateDatasetName } from '@tessera/storage/datasets/dataset-objects';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { DatasetRecord, JobStore } from '../store/job-store.ts';

const KINDS = new Set(['tabular-csv']);

/** Registers data sets: bytes uploaded through the API, or objects already placed in the store by other means. */
export class DatasetService {
  constructor(
    private readonly store: JobStore,
    private readonly objects: ObjectStore,
  ) {}

  async upload(header: { name: string; kind: string; fileName: string; sha256: string }, bytes: Buffer): Promise<DatasetRecord> {
    this.checkName(header.name);
    const kind = header.kind || 'tabular-csv';
    if (!KINDS.has(kind)) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.kind', message: `unknown kind "${kind}" (known: ${[...KINDS].join(', ')})` });
    if (!header.fileName) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.file_name', message: 'required' });
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (header.sha256 && header.sha256 !== actual) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.sha256', message: `the bytes hash to ${actual}, not ${header.sha256}` });
    }
    const { manifest } = await uploadDataset(this.objects, {
      name: header.name,
      kind: kind as 'tabular-csv',
      files: [{ name: header.fileName, bytes }],
      summary: summarize(kind, bytes),
    });
    return this.register(header.name, manifest.sha256);
  }

  async register(name: string, sha256: string): Promise<DatasetRecord> {
    this.checkName(name);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'sha256', message: 'expected 64 lowercase hex digits' });
    const existing = await this.store.getDataset(name, sha256);
    if (existing) return existing;
    let manifest;
    try {
      manifest = await readDatasetManifest(this.objects, name, sha256);
    } catch (cause) {
      if ((cause as { kind?: string }).kind === 'DatasetNotFound') {
        throw new CoordinatorError({ kind: 'DatasetObjectsMissing', name, sha256, manifestKey: datasetManifestKey(name, sha256) }, { cause });
      }
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'manifest', message: (cause as Error).message }, { cause });
    }
    return this.store.upsertDataset({
      name,
      sha256,
      kind: manifest.kind,
      sizeBytes: manifest.sizeBytes,
      manifestKey: datasetManifestKey(name, sha256),
      summary: manifest.summary,
      createdAt: new Date(),
    });
  }

  private checkName(name: string): void {
    try {
      validateDatasetName(name);
    } catch (cause) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'name', message: (cause as Error).message }, { cause });
    }
  }
}

function summarize(kind: string, bytes: Buffer): string {
  if (kind !== 'tabular-csv') return `${bytes.length} bytes`;
  const lines = bytes.toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const columns = lines[0]?.split(',').length ?? 0;
  return `${lines.length} rows x ${columns} columns`;
}
