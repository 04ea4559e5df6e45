/**
 * Image-folder ingestion throughput on ../shared/datasets/dogs-vs-cats (2,500 JPEGs, mostly about 500x375), beside
 * plain sharp decoding of the same files in the same run:
 *
 *   sharp-decode          read + decode each JPEG at full size, nothing else (the floor a JPEG pipeline pays)
 *   decode-resize-<S>     read + decode + resize to SxS RGB, as ingestion does it (sharp shrinks JPEGs on load)
 *   ingest-<S>            ingestImageFolder end to end: list, decode, resize, pack, hash, stage on disk, put into a
 *                         directory ObjectStore, manifest
 *
 * All at the same concurrency (the number of cores), in interleaved rounds so that load from anything else sharing
 * the machine hits every configuration alike; figures are medians in images per second. Writes
 * bench/results/image-ingest.json (BENCH_RESULTS overrides the path).
 *
 *   pnpm bench:image-ingest     BENCH_ROUNDS=2 BENCH_SIZES=64,224 TESSERA_DATASET_MIRROR=/path/to/datasets
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImageEntry, decodeImageRaw } from '@tessera/storage/datasets/image-decode';
import { ingestImageFolder } from '@tessera/storage/datasets/image-folder-ingest';
import { openImageFolderSource } from '@tessera/storage/datasets/image-folder-source';
import { planImageFolder } from '@tessera/storage/datasets/image-folder-layout';
import { FsObjectStore } from '@tessera/storage/fs-object-store';
import { datasetMirror } from '../test/integration/support/datasets.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const sizes = (process.env.BENCH_SIZES ?? '64,224').split(',').map(Number);
const concurrency = Math.max(1, os.availableParallelism());
const source = path.join(datasetMirror(), 'dogs-vs-cats');

interface Sample {
  imgPerSec: number;
  seconds: number;
  storedBytes?: number;
  shards?: number;
}

async function mapLimited<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

async function timed(count: number, run: () => Promise<Omit<Sample, 'imgPerSec' | 'seconds'> | void>): Promise<Sample> {
  const start = process.hrtime.bigint();
  const extra = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { imgPerSec: count / seconds, seconds, ...(extra ?? {}) };
}

async function main(): Promise<void> {
  const listing = await openImageFolderSource(source);
  const layout = planImageFolder(listing.listing);
  await listing.close();
  const files = [...layout.entries.train, ...layout.entries.valid].map((entry) => path.join(source, entry.sourcePath));
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-image-ingest-'));
  const configs: Record<string, () => Promise<Sample>> = {
    'sharp-decode': () => timed(files.length, () => mapLimited(files, async (file) => decodeImageRaw(await readFile(file)))),
  };
  for (const size of sizes) {
    configs[`decode-resize-${size}`] = () =>
      timed(files.length, () =>
        mapLimited(files, async (file) => decodeImageEntry(await readFile(file), file, { height: size, width: size, fit: 'fill' })),
      );
    configs[`ingest-${size}`] = async () => {
      const dir = await mkdtemp(path.join(scratch, `ingest-${size}-`));
      try {
        const store = new FsObjectStore(path.join(dir, 'objects'));
        return await timed(files.length, async () => {
          const { manifest } = await ingestImageFolder(store, { name: 'dogs-vs-cats', source, height: size, width: size, concurrency, stagingDir: dir });
          return { storedBytes: manifest.sizeBytes, shards: manifest.shards.length };
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
  }
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, run] of Object.entries(configs)) {
        const sample = await run();
        samples[name]?.push(sample);
        console.log(`round ${round + 1}/${rounds} ${name}: ${sample.imgPerSec.toFixed(1)} img/s (${sample.seconds.toFixed(2)} s)`);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  const results = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const [first] = list;
      return [name, { imgPerSecMedian: median(list.map((s) => s.imgPerSec)), imgPerSec: list.map((s) => s.imgPerSec), storedBytes: first?.storedBytes, shards: first?.shards }];
    }),
  );
  const baseline = results['sharp-decode']?.imgPerSecMedian ?? Number.NaN;
  const ratios = Object.fromEntries(
    sizes.map((size) => [`ingest-${size} / sharp-decode`, (results[`ingest-${size}`]?.imgPerSecMedian ?? Number.NaN) / baseline]),
  );
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version },
    workload: { dataset: 'dogs-vs-cats', images: files.length, concurrency, store: 'FsObjectStore (local directory)', fit: 'fill' },
    rounds,
    results,
    ratios,
  };
  const out = process.env.BENCH_RESULTS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'image-ingest.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.imgPerSecMedian])), ratios }, null, 2));
}

await main();
