import { isSha256Hex, sha256Hex } from '../content-hash.ts';
import type { ObjectStore } from '../object-store.ts';
import { isObjectNotFound, validateObjectKey } from '../object-store.ts';

const MANIFEST_FORMAT = 1;
const PART_NAMES = ['model.json', 'weights.bin', 'optimizer.bin', 'state.json'] as const;
type PartName = (typeof PART_NAMES)[number];

/** The files of a checkpoint, in write order. */
export const CHECKPOINT_PART_NAMES: readonly CheckpointPartName[] = PART_NAMES;
export type CheckpointPartName = PartName;

export function isCheckpointPartName(name: string): name is CheckpointPartName {
  return (PART_NAMES as readonly string[]).includes(name);
}

export interface CheckpointPart {
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** `<prefix>/<step>/manifest.json`: written after every part, so it exists only for a whole checkpoint. */
export interface CheckpointManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly step: number;
  readonly createdAt: string;
  /** Part file name (relative to the manifest's folder) → its size and sha256. */
  readonly parts: Readonly<Record<PartName, CheckpointPart>>;
}

export interface CheckpointInput {
  readonly step: number;
  /** The model topology (e.g. tfjs `model.toJSON()`), stored as `model.json`. */
  readonly modelJson: object;
  /** Raw little-endian weight bytes. */
  readonly weights: Uint8Array;
  /** Raw optimizer state bytes (moments, iteration counters). */
  readonly optimizer: Uint8Array;
  /** Training state: data cursor, RNG seeds, epoch; stored as `state.json`. */
  readonly state: object;
  /** Defaults to the current time. */
  readonly createdAt?: Date;
}

export interface Checkpoint {
  readonly manifestKey: string;
  readonly manifest: CheckpointManifest;
  readonly step: number;
  readonly modelJson: unknown;
  readonly weights: Buffer;
  readonly optimizer: Buffer;
  readonly state: unknown;
}

export type CheckpointErrorDetail =
  | { readonly kind: 'CheckpointNotFound'; readonly manifestKey: string }
  | { readonly kind: 'InvalidCheckpointManifest'; readonly manifestKey: string; readonly reason: string }
  | { readonly kind: 'IncompleteCheckpoint'; readonly manifestKey: string; readonly missingKey: string }
  | {
      readonly kind: 'CorruptCheckpoint';
      readonly manifestKey: string;
      readonly key: string;
      readonly expected: string;
      readonly actual: string;
    }
  | { readonly kind: 'InvalidCheckpointInput'; readonly reason: string };

/** Thrown by the checkpoint functions; branch on `kind`. Store failures surface as ObjectStoreError. */
export type CheckpointError = Error & { readonly name: 'CheckpointError' } & CheckpointErrorDetail;

function describe(detail: CheckpointErrorDetail): string {
  switch (detail.kind) {
    case 'CheckpointNotFound':
      return `checkpoint not found: no manifest at '${detail.manifestKey}'`;
    case 'InvalidCheckpointManifest':
      return `invalid checkpoint manifest '${detail.manifestKey}': ${detail.reason}`;
    case 'IncompleteCheckpoint':
      return `incomplete checkpoint '${detail.manifestKey}': part '${detail.missingKey}' is missing`;
    case 'CorruptCheckpoint':
      return `corrupt checkpoint part '${detail.key}' (manifest '${detail.manifestKey}'): expected sha256 ${detail.expected}, got ${detail.actual}`;
    case 'InvalidCheckpointInput':
      return `invalid checkpoint: ${detail.reason}`;
  }
}

function checkpointError(detail: CheckpointErrorDetail, cause?: unknown): CheckpointError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'CheckpointError';
  return Object.assign(error, detail) as CheckpointError;
}

/** The checkpoint prefix of a job, `jobs/<jobId>/checkpoints`, as sent to workers in `checkpoint_prefix`. */
export function checkpointPrefixForJob(jobId: string): string {
  if (jobId.includes('/')) throw checkpointError({ kind: 'InvalidCheckpointInput', reason: `job id '${jobId}' contains '/'` });
  const prefix = `jobs/${jobId}/checkpoints`;
  validateObjectKey(prefix);
  return prefix;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  validateObjectKey(trimmed);
  return trimmed;
}

function folderOf(manifestKey: string): string {
  return manifestKey.slice(0, manifestKey.lastIndexOf('/'));
}

function jsonBytes(value: unknown, what: string): Buffer {
  const text = JSON.stringify(value);
  if (typeof text !== 'string') {
    throw checkpointError({ kind: 'InvalidCheckpointInput', reason: `${what} is not JSON-serializable` });
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Writes a checkpoint under `<prefix>/<step>/`: the four parts, then `manifest.json` with each part's size and
 * sha256, then `<prefix>/latest.json` pointing at it. A crash at any point leaves the previous latest checkpoint
 * intact and findable. Rewriting an existing step first deletes its manifest, so its half-replaced parts are never
 * read as whole. Costs six puts (one delete more on rewrite); returns the manifest key.
 */
export async function writeCheckpoint(store: ObjectStore, prefix: string, input: CheckpointInput): Promise<string> {
  if (!Number.isSafeInteger(input.step) || input.step < 0) {
    throw checkpointError({ kind: 'InvalidCheckpointInput', reason: `step must be a non-negative integer, got ${input.step}` });
  }
  const base = `${normalizePrefix(prefix)}/${input.step}`;
  const manifestKey = `${base}/manifest.json`;
  const bytes: Record<PartName, Uint8Array> = {
    'model.json': jsonBytes(input.modelJson, 'modelJson'),
    'weights.bin': input.weights,
    'optimizer.bin': input.optimizer,
    'state.json': jsonBytes(input.state, 'state'),
  };
  await store.delete(manifestKey);
  const parts = {} as Record<PartName, CheckpointPart>;
  for (const name of PART_NAMES) {
    await store.put(`${base}/${name}`, bytes[name]);
    parts[name] = { sizeBytes: bytes[name].byteLength, sha256: sha256Hex(bytes[name]) };
  }
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    step: input.step,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    parts,
  };
  await store.put(manifestKey, jsonBytes(manifest, 'manifest'));
  await store.put(`${normalizePrefix(prefix)}/latest.json`, jsonBytes({ manifestKey, step: input.step }, 'latest'));
  return manifestKey;
}

function parseManifest(manifestKey: string, bytes: Buffer): CheckpointManifest {
  const fail = (reason: string): never => {
    throw checkpointError({ kind: 'InvalidCheckpointManifest', manifestKey, reason });
  };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw checkpointError({ kind: 'InvalidCheckpointManifest', manifestKey, reason: 'not valid JSON' }, error);
  }
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const raw = value as Record<string, unknown>;
  if (raw.format !== MANIFEST_FORMAT) fail(`format is ${String(raw.format)}, expected ${MANIFEST_FORMAT}`);
  if (!Number.isSafeInteger(raw.step) || (raw.step as number) < 0) fail('step is not a non-negative integer');
  if (folderOf(manifestKey).split('/').at(-1) !== String(raw.step)) fail(`step ${String(raw.step)} does not match the key`);
  if (typeof raw.parts !== 'object' || raw.parts === null) return fail('parts is missing');
  const parts = raw.parts as Record<string, unknown>;
  for (const name of PART_NAMES) {
    const part = parts[name] as Record<string, unknown> | undefined;
    if (typeof part !== 'object' || part === null) fail(`parts['${name}'] is missing`);
    else if (!Number.isSafeInteger(part.sizeBytes) || !isSha256Hex(part.sha256)) {
      fail(`parts['${name}'] needs an integer sizeBytes and a lowercase hex sha256`);
    }
  }
  return raw as unknown as CheckpointManifest;
}

async function readManifest(store: ObjectStore, manifestKey: string): Promise<CheckpointManifest> {
  try {
    return parseManifest(manifestKey, await store.get(manifestKey));
  } catch (error) {
    if (isObjectNotFound(error)) throw checkpointError({ kind: 'CheckpointNotFound', manifestKey }, error);
    throw error;
  }
}

async function readPart(store: ObjectStore, manifestKey: string, key: string, part: CheckpointPart): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await store.get(key);
  } catch (error) {
    if (isObjectNotFound(error)) throw checkpointError({ kind: 'IncompleteCheckpoint', manifestKey, missingKey: key }, error);
    throw error;
  }
  const actual = sha256Hex(bytes);
  if (actual !== part.sha256 || bytes.byteLength !== part.sizeBytes) {
    throw checkpointError({ kind: 'CorruptCheckpoint', manifestKey, key, expected: part.sha256, actual });
  }
  return bytes;
}

function parseJsonPart(manifestKey: string, key: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw checkpointError({ kind: 'InvalidCheckpointManifest', manifestKey, reason: `'${key}' is not valid JSON` }, error);
  }
}

/**
 * Reads a checkpoint and verifies every part against its manifest: a missing part fails with
 * `IncompleteCheckpoint`, a changed one with `CorruptCheckpoint`, so a half checkpoint never reads as whole.
 */
export async function readCheckpoint(store: ObjectStore, manifestKey: string): Promise<Checkpoint> {
  validateObjectKey(manifestKey);
  const manifest = await readManifest(store, manifestKey);
  const base = folderOf(manifestKey);
  const bytes = {} as Record<PartName, Buffer>;
  for (const name of PART_NAMES) bytes[name] = await readPart(store, manifestKey, `${base}/${name}`, manifest.parts[name]);
  return {
    manifestKey,
    manifest,
    step: manifest.step,
    modelJson: parseJsonPart(manifestKey, `${base}/model.json`, bytes['model.json']),
    weights: bytes['weights.bin'],
    optimizer: bytes['optimizer.bin'],
    state: parseJsonPart(manifestKey, `${base}/state.json`, bytes['state.json']),
  };
}

/** True when the manifest parses and every part exists; hashes are checked when the checkpoint is read. */
async function isComplete(store: ObjectStore, manifestKey: string): Promise<boolean> {
  try {
    await readManifest(store, manifestKey);
  } catch (error) {
    if (error instanceof Error && error.name === 'CheckpointError') return false;
    throw error;
  }
  const base = folderOf(manifestKey);
  for (const name of PART_NAMES) {
    if (!(await store.exists(`${base}/${name}`))) return false;
  }
  return true;
}

async function latestPointer(store: ObjectStore, prefix: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await store.get(`${prefix}/latest.json`);
  } catch (error) {
    if (isObjectNotFound(error)) return undefined;
    throw error;
  }
  try {
    const pointer = JSON.parse(bytes.toString('utf8')) as { manifestKey?: unknown };
    const key = pointer.manifestKey;
    // Only a manifest directly under this prefix counts; anything else is a damaged pointer.
    return typeof key === 'string' && new RegExp(`^${escapeRegExp(prefix)}/\\d+/manifest\\.json$`).test(key)
      ? key
      : undefined;
  } catch {
    // A torn or hand-edited latest.json is exactly the case the scan below exists for.
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The manifest key of the newest whole checkpoint under `prefix`, or null when there is none. Trusts `latest.json`
 * when it points at a complete checkpoint (two gets and four existence checks); otherwise lists the prefix and takes
 * the highest step whose manifest and parts are all present, so a crash mid-write is never mistaken for a checkpoint.
 * A crash between a manifest and `latest.json` leaves the pointer at the previous checkpoint, which is still whole.
 */
export async function findLatestCheckpoint(store: ObjectStore, prefix: string): Promise<string | null> {
  const base = normalizePrefix(prefix);
  const pointed = await latestPointer(store, base);
  if (pointed !== undefined && (await isComplete(store, pointed))) return pointed;
  const manifestPattern = new RegExp(`^${escapeRegExp(base)}/(\\d+)/manifest\\.json$`);
  const candidates = (await store.list(`${base}/`))
    .map((key) => ({ key, match: manifestPattern.exec(key) }))
    .filter((candidate) => candidate.match !== null)
    .map((candidate) => ({ key: candidate.key, step: Number(candidate.match?.[1]) }))
    .sort((a, b) => b.step - a.step);
  for (const candidate of candidates) {
    if (await isComplete(store, candidate.key)) return candidate.key;
  }
  return null;
}

/** A complete checkpoint as listed: its manifest, not its bytes. */
export interface CheckpointSummary {
  readonly manifestKey: string;
  readonly step: number;
  readonly manifest: CheckpointManifest;
  /** Sum of the parts' sizes. */
  readonly sizeBytes: number;
}

/**
 * Every complete checkpoint under `prefix` (manifest valid and every part present), highest step first. Costs one
 * list, then one get and four existence checks per checkpoint; hashes are checked when a part is read.
 */
export async function listCheckpoints(store: ObjectStore, prefix: string): Promise<CheckpointSummary[]> {
  const base = normalizePrefix(prefix);
  const manifestPattern = new RegExp(`^${escapeRegExp(base)}/(\\d+)/manifest\\.json$`);
  const keys = (await store.list(`${base}/`))
    .map((key) => ({ key, match: manifestPattern.exec(key) }))
    .filter((candidate) => candidate.match !== null)
    .sort((a, b) => Number(b.match?.[1]) - Number(a.match?.[1]));
  const result: CheckpointSummary[] = [];
  for (const { key } of keys) {
    if (!(await isComplete(store, key))) continue;
    const manifest = await readManifest(store, key);
    const sizeBytes = PART_NAMES.reduce((sum, name) => sum + manifest.parts[name].sizeBytes, 0);
    result.push({ manifestKey: key, step: manifest.step, manifest, sizeBytes });
  }
  return result;
}

/**
 * Reads one part of the checkpoint at `manifestKey`, verified against the manifest's sha256 and size: a missing
 * manifest fails with `CheckpointNotFound`, a missing part with `IncompleteCheckpoint`, a changed one with
 * `CorruptCheckpoint`. Costs two gets.
 */
export async function readCheckpointPart(store: ObjectStore, manifestKey: string, part: CheckpointPartName): Promise<Buffer> {
  validateObjectKey(manifestKey);
  const manifest = await readManifest(store, manifestKey);
  return readPart(store, manifestKey, `${folderOf(manifestKey)}/${part}`, manifest.parts[part]);
}
