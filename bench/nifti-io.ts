/**
 * NIfTI load throughput on the files in ../shared/datasets/nifti, beside the floor under it in the same run:
 *
 *   read-file          fs.readFile of the file, nothing else
 *   read-gunzip        fs.readFile + zlib gunzip (async, libuv pool) of the same bytes (.nii.gz only)
 *   nifti-load         readNifti: read, gunzip, parse the header, convert to float32 with scl_slope/inter, affine
 *   nifti-canonical    readNifti + toCanonical (one more pass and copy: every file here is LAS, so x is flipped)
 *
 * Cases: the MNI152 T1 (int16) as stored (.nii.gz) and as an uncompressed copy written to a temp folder (.nii), the
 * MNI152 brain (float32, .nii.gz), the 4-D example (int16, .nii.gz) and the big-endian anatomical.nii (byte-swapped
 * on load). Each sample loads one file at least `BENCH_REPEATS` times and for at least `BENCH_MIN_SECONDS`, one load
 * at a time; configurations run in interleaved rounds so that load from anything else on the machine hits them alike.
 * MB/s are of uncompressed NIfTI bytes (header and
 * voxels; 1 MB = 1e6 bytes) for every configuration, so the figures compare directly; medians over rounds. Writes
 * bench/results/nifti-io.json (BENCH_RESULTS overrides the path).
 *
 *   pnpm bench:nifti-io     BENCH_ROUNDS=5 BENCH_REPEATS=5 BENCH_MIN_SECONDS=0.5 TESSERA_DATASET_MIRROR=/path/to/datasets
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { readNifti, toCanonical } from '@tessera/medical/nifti/nifti-reader';
import { datasetMirror } from '../test/integration/support/datasets.ts';

const gunzipAsync = promisify(gunzip);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const minSeconds = Number(process.env.BENCH_MIN_SECONDS ?? 0.5);
const root = path.join(datasetMirror(), 'nifti');

interface Case {
  readonly name: string;
  readonly file: string;
  readonly fileBytes: number;
  readonly niftiBytes: number;
  readonly gzip: boolean;
  readonly datatype: string;
  readonly shape: readonly number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

async function timed(bytesPerRun: number, run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  let runs = 0;
  let seconds = 0;
  while (runs < repeats || seconds < minSeconds) {
    await run();
    runs += 1;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (bytesPerRun * runs) / seconds / 1e6;
}

async function describeCase(name: string, file: string): Promise<Case> {
  const bytes = await readFile(file);
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const image = await readNifti(file);
  return { name, file, fileBytes: bytes.length, niftiBytes: gzip ? gunzipSync(bytes).length : bytes.length, gzip, datatype: image.datatype, shape: image.shape };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-nifti-io-'));
  try {
    const t1 = path.join(root, 'brain-mri-mni152', 'MNI152_T1_2mm.nii.gz');
    const t1Plain = path.join(scratch, 'MNI152_T1_2mm.nii');
    await writeFile(t1Plain, gunzipSync(await readFile(t1)));
    const cases = await Promise.all([
      describeCase('mni152-t1-int16.nii.gz', t1),
      describeCase('mni152-t1-int16.nii', t1Plain),
      describeCase('mni152-brain-float32.nii.gz', path.join(root, 'brain-mri-mni152', 'MNI152_T1_2mm_Brain.nii.gz')),
      describeCase('example4d-int16.nii.gz', path.join(root, 'format-variants', 'example4d.nii.gz')),
      describeCase('anatomical-int16-big-endian.nii', path.join(root, 'format-variants', 'anatomical.nii')),
    ]);
    const configs: { caseName: string; config: string; run: () => Promise<unknown>; bytes: number }[] = [];
    for (const c of cases) {
      configs.push({ caseName: c.name, config: 'read-file', bytes: c.niftiBytes, run: () => readFile(c.file) });
      if (c.gzip) configs.push({ caseName: c.name, config: 'read-gunzip', bytes: c.niftiBytes, run: async () => gunzipAsync(await readFile(c.file)) });
      configs.push({ caseName: c.name, config: 'nifti-load', bytes: c.niftiBytes, run: () => readNifti(c.file) });
      configs.push({ caseName: c.name, config: 'nifti-canonical', bytes: c.niftiBytes, run: async () => toCanonical(await readNifti(c.file)) });
    }
    // One untimed pass warms the page cache and the JIT for every configuration.
    for (const { run } of configs) await run();
    const samples = new Map<string, number[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const { caseName, config, run, bytes } of configs) {
        const mbPerSec = await timed(bytes, run);
        const key = `${caseName} ${config}`;
        samples.set(key, [...(samples.get(key) ?? []), mbPerSec]);
        console.log(`round ${round + 1}/${rounds} ${key}: ${mbPerSec.toFixed(1)} MB/s`);
      }
    }
    const pairedRatio = (caseName: string, config: string, floor: string): number => {
      const over = samples.get(`${caseName} ${config}`) ?? [];
      const under = samples.get(`${caseName} ${floor}`) ?? [];
      return median(over.map((value, i) => value / (under[i] ?? Number.NaN)));
    };
    const results = Object.fromEntries(
      cases.map((c) => {
        const configsOfCase = Object.fromEntries(
          configs
            .filter((entry) => entry.caseName === c.name)
            .map(({ config }) => {
              const list = samples.get(`${c.name} ${config}`) ?? [];
              return [config, { mbPerSecMedian: median(list), mbPerSec: list }];
            }),
        );
        const med = (config: string): number => (configsOfCase[config] as { mbPerSecMedian: number } | undefined)?.mbPerSecMedian ?? Number.NaN;
        const floor = c.gzip ? 'read-gunzip' : 'read-file';
        return [
          c.name,
          {
            file: path.relative(root, c.file).startsWith('..') ? `(temp) gunzipped copy of brain-mri-mni152/MNI152_T1_2mm.nii.gz` : path.relative(root, c.file),
            datatype: c.datatype,
            shape: c.shape,
            fileBytes: c.fileBytes,
            niftiBytes: c.niftiBytes,
            configs: configsOfCase,
            ratios: { [`nifti-load / ${floor}`]: med('nifti-load') / med(floor), [`nifti-canonical / ${floor}`]: med('nifti-canonical') / med(floor) },
            // Median of the per-round ratios: the configurations of one round run back to back, so these cancel the
            // machine's slow load swings better than the ratio of medians.
            pairedRatios: { [`nifti-load / ${floor}`]: pairedRatio(c.name, 'nifti-load', floor), [`nifti-canonical / ${floor}`]: pairedRatio(c.name, 'nifti-canonical', floor) },
          },
        ];
      }),
    );
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version, loadAverage: os.loadavg() },
      workload: { minRepeatsPerSample: repeats, minSecondsPerSample: minSeconds, concurrency: 1, unit: 'MB/s of uncompressed NIfTI bytes (1e6 B), median over rounds' },
      rounds,
      results,
    };
    const out = process.env.BENCH_RESULTS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'nifti-io.json');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      JSON.stringify(
        Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { ...Object.fromEntries(Object.entries(r.configs).map(([k, v]) => [k, Math.round(v.mbPerSecMedian)])), ...r.pairedRatios }])),
        null,
        2,
      ),
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
