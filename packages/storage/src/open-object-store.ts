import path from 'node:path';
import { FsObjectStore } from './fs-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3ObjectStoreConfig } from './s3-object-store.ts';

/** Resolved choice of object store; built once by each app's `main.ts`, from env or from flags. */
export type ObjectStoreConfig =
  | { readonly kind: 'dir'; readonly path: string }
  | ({ readonly kind: 's3' } & S3ObjectStoreConfig);

export interface ObjectStoreDefaults {
  /** Tessera's data directory (e.g. `.tessera`); the directory store defaults to `<dataDir>/objects`. */
  readonly dataDir: string;
}

export type ObjectStoreConfigErrorDetail =
  | { readonly kind: 'MissingVariable'; readonly variables: readonly string[]; readonly reason: string }
  | { readonly kind: 'InvalidVariable'; readonly variable: string; readonly value: string; readonly reason: string };

/** Thrown by {@link objectStoreConfigFromEnv}; the message names the environment variable at fault. */
export type ObjectStoreConfigError = Error & { readonly name: 'ObjectStoreConfigError' } & ObjectStoreConfigErrorDetail;

function configError(detail: ObjectStoreConfigErrorDetail): ObjectStoreConfigError {
  const message =
    detail.kind === 'MissingVariable'
      ? `missing ${detail.variables.join(', ')}: ${detail.reason}`
      : `invalid ${detail.variable}='${detail.value}': ${detail.reason}`;
  const error = new Error(message);
  error.name = 'ObjectStoreConfigError';
  return Object.assign(error, detail) as ObjectStoreConfigError;
}

// S3 bucket naming rules, minus the rarely used legacy forms.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DEFAULT_REGION = 'us-east-1';

function s3ConfigFromEnv(store: string, env: Readonly<Record<string, string | undefined>>): ObjectStoreConfig {
  const rest = store.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (!BUCKET_NAME.test(bucket)) {
    const reason = 'expected s3://<bucket>/<optional prefix> with a bucket name of 3-63 lowercase letters, digits, dots or hyphens';
    throw configError({ kind: 'InvalidVariable', variable: 'TESSERA_STORE', value: store, reason });
  }
  if (prefix.split('/').some((segment) => segment === '..' || segment === '.' || (prefix !== '' && segment === ''))) {
    const reason = 'the key prefix may not contain empty, "." or ".." segments';
    throw configError({ kind: 'InvalidVariable', variable: 'TESSERA_STORE', value: store, reason });
  }
  const required = ['TESSERA_S3_ENDPOINT', 'TESSERA_S3_ACCESS_KEY', 'TESSERA_S3_SECRET_KEY'] as const;
  const missing = required.filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) {
    throw configError({ kind: 'MissingVariable', variables: missing, reason: `required when TESSERA_STORE=${store}` });
  }
  const endpoint = env.TESSERA_S3_ENDPOINT ?? '';
  if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    const reason = 'expected http(s)://host[:port], e.g. http://127.0.0.1:9000';
    throw configError({ kind: 'InvalidVariable', variable: 'TESSERA_S3_ENDPOINT', value: endpoint, reason });
  }
  return {
    kind: 's3',
    endpoint,
    accessKey: env.TESSERA_S3_ACCESS_KEY ?? '',
    secretKey: env.TESSERA_S3_SECRET_KEY ?? '',
    region: env.TESSERA_S3_REGION || DEFAULT_REGION,
    bucket,
    prefix,
  };
}

/**
 * Reads the object-store choice from the environment, the one place these variables are interpreted:
 * `TESSERA_STORE=dir:<path>` (default `dir:<dataDir>/objects`) or `TESSERA_STORE=s3://bucket/prefix` with
 * `TESSERA_S3_ENDPOINT`, `TESSERA_S3_ACCESS_KEY`, `TESSERA_S3_SECRET_KEY` and `TESSERA_S3_REGION` (default
 * us-east-1). Relative directory paths resolve against the current directory. Pure: touches neither disk nor network.
 */
export function objectStoreConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: ObjectStoreDefaults,
): ObjectStoreConfig {
  const store = (env.TESSERA_STORE ?? '').trim();
  if (store === '') return { kind: 'dir', path: path.resolve(defaults.dataDir, 'objects') };
  if (store.startsWith('dir:')) {
    const dir = store.slice('dir:'.length);
    if (dir === '') {
      throw configError({ kind: 'InvalidVariable', variable: 'TESSERA_STORE', value: store, reason: 'dir: needs a path' });
    }
    return { kind: 'dir', path: path.resolve(dir) };
  }
  if (store.startsWith('s3://')) return s3ConfigFromEnv(store, env);
  const reason = 'expected dir:<path> or s3://<bucket>/<prefix>';
  throw configError({ kind: 'InvalidVariable', variable: 'TESSERA_STORE', value: store, reason });
}

/** Opens the configured store; for S3 this contacts the endpoint and creates the bucket if it is missing. */
export async function openObjectStore(config: ObjectStoreConfig): Promise<ObjectStore> {
  switch (config.kind) {
    case 'dir':
      return new FsObjectStore(config.path);
    case 's3':
      return S3ObjectStore.connect(config);
  }
}
