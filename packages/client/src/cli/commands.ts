import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TesseraClient } from '../tessera-client.ts';
import { generatePassword } from './first-admin.ts';
import { describeJob, JobWatchPrinter } from './job-watch-printer.ts';
import { loadSpecFile } from './spec-file.ts';
import { zipDirectory } from './zip-directory.ts';

const out = (line: string) => process.stdout.write(line + '\n');
const state = (s: string) => s.replace(/^(JOB|WORKER)_STATE_/, '');

/** Commands that talk to a running coordinator. Each returns the process exit code. */

export async function submitCommand(client: TesseraClient, file: string, watch: boolean): Promise<number> {
  const spec = await loadSpecFile(file);
  const job = await client.submitJob(spec, { idempotencyKey: `${path.basename(file)}:${Date.now()}` });
  out(`submitted ${job.id} (${job.name}): ${state(job.state)} — ${job.reason}`);
  return watch ? watchCommand(client, job.id) : 0;
}

export async function watchCommand(client: TesseraClient, jobId: string): Promise<number> {
  const printer = new JobWatchPrinter();
  const job = await client.waitForJob(jobId, (u) => printer.handle(u));
  printer.done();
  out(describeJob(job));
  return state(job.state) === 'SUCCEEDED' ? 0 : 1;
}

export async function statusCommand(client: TesseraClient, jobId: string): Promise<number> {
  out(describeJob(await client.getJob(jobId)));
  return 0;
}

export async function listCommand(client: TesseraClient): Promise<number> {
  const jobs = await client.listJobs();
  if (jobs.length === 0) out('no jobs');
  for (const j of jobs) {
    const progress = Number(j.totalSteps) > 0 ? `${Math.round((100 * Number(j.step)) / Number(j.totalSteps))}%` : '-';
    out(`${j.id}  ${state(j.state).padEnd(9)}  ${progress.padStart(4)}  ${j.name.padEnd(24)}  ${j.reason}`);
  }
  return 0;
}

export async function cancelCommand(client: TesseraClient, jobId: string, reason: string): Promise<number> {
  const job = await client.cancelJob(jobId, reason);
  out(`${job.id}: ${state(job.state)} — ${job.reason}`);
  return 0;
}

export async function workersCommand(client: TesseraClient): Promise<number> {
  const workers = await client.listWorkers();
  if (workers.length === 0) out('no workers');
  for (const w of workers) {
    const job = w.jobId ? `${w.jobId} rank ${w.rank}` : '-';
    out(`${w.id.padEnd(16)} ${state(w.state).padEnd(5)} ${w.backend.padEnd(6)} ${job.padEnd(30)} ${w.host} ${w.device}`);
  }
  return 0;
}

/** Kinds `tessera dataset upload` takes; the coordinator ingests all but tabular-csv from a zip. */
export const UPLOAD_KINDS = ['tabular-csv', 'image-folder', 'segmentation'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/**
 * Uploads a CSV, or a zip (or a directory, zipped in memory first) that the coordinator ingests: class folders
 * (`train/<class>/…`, kind image-folder, the default for a zip or directory) or image/mask pairs (`images/` and
 * `masks/`, kind segmentation; DICOM in it is de-identified by the coordinator before anything is stored), 2D images
 * stored at `imageSize` pixels.
 */
export async function datasetUploadCommand(
  client: TesseraClient,
  name: string,
  file: string,
  options: { readonly imageSize: number; readonly kind?: UploadKind; readonly className?: string; readonly modality?: string },
): Promise<number> {
  const directory = (await stat(file)).isDirectory();
  const bytes = directory ? await zipDirectory(file) : await readFile(file);
  const kind = options.kind ?? (directory || /\.zip$/i.test(file) ? 'image-folder' : 'tabular-csv');
  const dataset = await client.uploadDataset({
    name,
    fileName: directory ? `${path.basename(path.resolve(file))}.zip` : path.basename(file),
    bytes,
    ...(kind === 'tabular-csv' ? {} : { kind, imageHeight: options.imageSize, imageWidth: options.imageSize }),
    ...(options.className === undefined ? {} : { className: options.className }),
    ...(options.modality === undefined ? {} : { modality: options.modality }),
  });
  out(`registered ${dataset.name}@${dataset.sha256} (${dataset.summary}, ${dataset.sizeBytes} bytes)`);
  return 0;
}

/** Registers a data set whose objects were written to the store directly (e.g. a bulk copy into S3). */
export async function datasetRegisterCommand(client: TesseraClient, name: string, sha256: string): Promise<number> {
  const dataset = await client.registerDataset(name, sha256);
  out(`registered ${dataset.name}@${dataset.sha256} (${dataset.summary}, ${dataset.sizeBytes} bytes)`);
  return 0;
}

export async function datasetListCommand(client: TesseraClient): Promise<number> {
  const datasets = await client.listDatasets();
  if (datasets.length === 0) out('no data sets');
  for (const d of datasets) out(`${d.name.padEnd(20)} ${d.sha256.slice(0, 16)}  ${d.kind.padEnd(12)} ${String(d.sizeBytes).padStart(10)} B  ${d.summary}`);
  return 0;
}

/**
 * `tessera user create NAME [--admin]`: the password comes from TESSERA_NEW_PASSWORD, else a strong random one is
 * generated and printed once (the coordinator keeps only its scrypt hash).
 */
export async function userCreateCommand(client: TesseraClient, username: string, admin: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const given = env.TESSERA_NEW_PASSWORD;
  const password = given || generatePassword();
  const user = await client.createUser({ username, password, role: admin ? 'admin' : 'member' });
  out(`created ${user.role} ${user.username}`);
  if (!given) out(`password: ${password} (shown only now)`);
  return 0;
}

export async function userListCommand(client: TesseraClient): Promise<number> {
  const users = await client.listUsers();
  if (users.length === 0) out('no users');
  for (const u of users) out(`${u.username.padEnd(32)} ${u.role.padEnd(6)} ${u.createdAt}`);
  return 0;
}
