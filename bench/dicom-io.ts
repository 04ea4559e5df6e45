/**
 * DICOM parse + decode throughput on ../shared/datasets/dicom, beside a plain read of the same files in the same run:
 *
 *   read-<syntax>       readFile of the one 512x512 CT slice stored in that transfer syntax (the I/O floor)
 *   decode-<syntax>     readFile + parseDicomFile + decodeDicomPixels of the same file: stored values in an Int16Array
 *   read-series         readFile of the 10 slices of ct-series-ge-head (512x512, explicit VR little endian)
 *   volume-series       scanDicomFolder + buildDicomVolume of that folder: ordered, HU float32 volume with affine
 *
 * One thread, files processed one after another (decoding is CPU-bound JavaScript or wasm on the main thread), each
 * configuration repeated for at least BENCH_MIN_SECONDS per round, in interleaved rounds so that load from anything else sharing the
 * machine hits every configuration alike. Figures are medians in slices per second; the file read comes from the
 * page cache after the first round, so read-* is the cost of the syscall and copy, not of a disk. Writes
 * bench/results/dicom-io.json (BENCH_RESULTS overrides the path).
 *
 *   pnpm bench:dicom-io     BENCH_ROUNDS=7 BENCH_MIN_SECONDS=0.3 TESSERA_DATASET_MIRROR=/path/to/datasets
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { scanDicomFolder } from '@tessera/medical/dicom/dicom-folder';
import { buildDicomVolume } from '@tessera/medical/dicom/dicom-volume';
import { decodeDicomPixels } from '@tessera/medical/dicom/pixel-data';
import { datasetMirror } from '../test/integration/support/datasets.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const minSeconds = Number(process.env.BENCH_MIN_SECONDS ?? 0.3);
const root = path.join(datasetMirror(), 'dicom');
const syntaxDir = path.join(root, 'ct-transfer-syntaxes');
const seriesDir = path.join(root, 'ct-series-ge-head');

const SYNTAXES: Record<string, { uid: string; file: string }> = {
  'implicit-le': { uid: '1.2.840.10008.1.2', file: 'CTImage.dcm' },
  'explicit-le': { uid: '1.2.840.10008.1.2.1', file: 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm' },
  'jpeg-lossless': { uid: '1.2.840.10008.1.2.4.70', file: 'CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm' },
  rle: { uid: '1.2.840.10008.1.2.5', file: 'CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm' },
  'jpeg-ls': { uid: '1.2.840.10008.1.2.4.80', file: 'CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm' },
  jpeg2000: { uid: '1.2.840.10008.1.2.4.90', file: 'CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm' },
};

interface Sample {
  slicesPerSec: number;
  seconds: number;
  passes: number;
  bytes: number;
}

/** Runs `run` (one pass over `slices` slices) until minSeconds have passed, at least once. */
async function timed(slices: number, run: () => Promise<number>): Promise<Sample> {
  const start = process.hrtime.bigint();
  let bytes = 0;
  let passes = 0;
  let seconds = 0;
  while (passes === 0 || seconds < minSeconds) {
    bytes += await run();
    passes += 1;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { slicesPerSec: (slices * passes) / seconds, seconds, passes, bytes: bytes / passes };
}

async function decodeFile(file: string): Promise<number> {
  const bytes = await readFile(file);
  const image = await decodeDicomPixels(parseDicomFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file));
  if (image.frames[0]?.length !== 512 * 512) throw new Error(`${file}: unexpected frame`);
  return bytes.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

async function main(): Promise<void> {
  const seriesFiles = Array.from({ length: 10 }, (_, index) => path.join(seriesDir, `${String(index + 1).padStart(2, '0')}.dcm`));
  const configs: Record<string, () => Promise<Sample>> = {};
  for (const [name, { file }] of Object.entries(SYNTAXES)) {
    const full = path.join(syntaxDir, file);
    configs[`read-${name}`] = () => timed(1, async () => (await readFile(full)).length);
    configs[`decode-${name}`] = () => timed(1, () => decodeFile(full));
  }
  configs['read-series'] = () =>
    timed(seriesFiles.length, async () => {
      let total = 0;
      for (const file of seriesFiles) total += (await readFile(file)).length;
      return total;
    });
  configs['volume-series'] = () =>
    timed(seriesFiles.length, async () => {
      const scan = await scanDicomFolder(seriesDir);
      const [series] = scan.series;
      if (series === undefined || scan.failures.length > 0) throw new Error(`${seriesDir}: ${scan.failures.map((f) => f.message).join('; ')}`);
      const volume = await buildDicomVolume(series);
      if (volume.dims[2] !== seriesFiles.length) throw new Error(`${seriesDir}: ${volume.dims[2]} slices`);
      return series.files.reduce((sum, file) => sum + file.dataSet.byteArray.length, 0);
    });
  // Warm-up outside the timings: compiles the wasm codecs and the JIT paths once.
  for (const { file } of Object.values(SYNTAXES)) await decodeFile(path.join(syntaxDir, file));

  const names = Object.keys(configs);
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    // Alternate the order each round so no configuration always runs right after the same neighbour.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const sample = await configs[name]?.();
      if (sample === undefined) continue;
      samples[name]?.push(sample);
      console.log(`round ${round + 1}/${rounds} ${name}: ${sample.slicesPerSec.toFixed(1)} slices/s (${sample.seconds.toFixed(2)} s)`);
    }
  }
  const results = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const perSec = median(list.map((sample) => sample.slicesPerSec));
      const bytes = list[0]?.bytes ?? 0;
      const slices = name.endsWith('-series') ? seriesFiles.length : 1;
      return [name, { slicesPerSecMedian: perSec, fileMBPerSecMedian: (perSec * bytes) / slices / 1e6, bytesPerRun: bytes, slicesPerSec: list.map((sample) => sample.slicesPerSec), passes: list.map((sample) => sample.passes) }];
    }),
  );
  const ratio = (decode: string, read: string): number => (results[decode]?.slicesPerSecMedian ?? Number.NaN) / (results[read]?.slicesPerSecMedian ?? Number.NaN);
  const ratios = {
    ...Object.fromEntries(Object.keys(SYNTAXES).map((name) => [`decode-${name} / read-${name}`, ratio(`decode-${name}`, `read-${name}`)])),
    'volume-series / read-series': ratio('volume-series', 'read-series'),
  };
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version },
    workload: {
      slice: 'ct-transfer-syntaxes: one GE CT slice, 512x512, 16-bit signed, six transfer syntaxes (uids below)',
      series: 'ct-series-ge-head: 10 slices, 512x512, explicit VR little endian, 18.5 degree gantry tilt',
      threads: 1,
      minSecondsPerSample: minSeconds,
      transferSyntaxes: Object.fromEntries(Object.entries(SYNTAXES).map(([name, { uid }]) => [name, uid])),
    },
    rounds,
    results,
    ratios,
  };
  const out = process.env.BENCH_RESULTS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'dicom-io.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number(v.slicesPerSecMedian.toFixed(1))])), ratios }, null, 2));
}

await main();
