import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectStoreConfigFromEnv, openObjectStore } from './open-object-store.ts';

const defaults = { dataDir: '/var/lib/tessera' };
const s3Env = {
  TESSERA_STORE: 's3://tessera-data/team-a/run',
  TESSERA_S3_ENDPOINT: 'http://127.0.0.1:9000',
  TESSERA_S3_ACCESS_KEY: 'access',
  TESSERA_S3_SECRET_KEY: 'secret',
};

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('objectStoreConfigFromEnv', () => {
  it('defaults to a directory under the data directory', () => {
    expect(objectStoreConfigFromEnv({}, defaults)).toEqual({ kind: 'dir', path: '/var/lib/tessera/objects' });
    expect(objectStoreConfigFromEnv({ TESSERA_STORE: '' }, defaults)).toEqual({
      kind: 'dir',
      path: '/var/lib/tessera/objects',
    });
  });

  it('resolves dir: paths to absolute paths', () => {
    expect(objectStoreConfigFromEnv({ TESSERA_STORE: 'dir:/srv/objects' }, defaults)).toEqual({
      kind: 'dir',
      path: '/srv/objects',
    });
    expect(objectStoreConfigFromEnv({ TESSERA_STORE: 'dir:rel/objects' }, defaults)).toEqual({
      kind: 'dir',
      path: path.resolve('rel/objects'),
    });
  });

  it('reads the S3 bucket, prefix, credentials and default region', () => {
    expect(objectStoreConfigFromEnv(s3Env, defaults)).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      accessKey: 'access',
      secretKey: 'secret',
      region: 'us-east-1',
      bucket: 'tessera-data',
      prefix: 'team-a/run',
    });
    expect(objectStoreConfigFromEnv({ ...s3Env, TESSERA_STORE: 's3://b-1', TESSERA_S3_REGION: 'eu-west-1' }, defaults))
      .toMatchObject({ bucket: 'b-1', prefix: '', region: 'eu-west-1' });
  });

  it('names every missing S3 variable', () => {
    expect(() => objectStoreConfigFromEnv({ TESSERA_STORE: 's3://bucket' }, defaults)).toThrow(
      /missing TESSERA_S3_ENDPOINT, TESSERA_S3_ACCESS_KEY, TESSERA_S3_SECRET_KEY/,
    );
    expect(thrown(() => objectStoreConfigFromEnv({ ...s3Env, TESSERA_S3_SECRET_KEY: '' }, defaults))).toMatchObject({
      kind: 'MissingVariable',
      variables: ['TESSERA_S3_SECRET_KEY'],
    });
  });

  it.each([
    ['TESSERA_STORE', { TESSERA_STORE: 'ftp://x' }],
    ['TESSERA_STORE', { TESSERA_STORE: 'dir:' }],
    ['TESSERA_STORE', { ...s3Env, TESSERA_STORE: 's3://Bad_Bucket/x' }],
    ['TESSERA_STORE', { ...s3Env, TESSERA_STORE: 's3://bucket/a/../b' }],
    ['TESSERA_S3_ENDPOINT', { ...s3Env, TESSERA_S3_ENDPOINT: '127.0.0.1:9000' }],
  ])('rejects a bad %s with a message naming it', (variable, env) => {
    const error = thrown(() => objectStoreConfigFromEnv(env, defaults));
    expect(error).toMatchObject({ kind: 'InvalidVariable', variable });
    expect(String(error)).toContain(variable);
  });
});

describe('openObjectStore', () => {
  it('opens a directory store without touching the disk', async () => {
    const store = await openObjectStore({ kind: 'dir', path: '/nonexistent/tessera-objects' });
    expect(store.location).toBe('dir:/nonexistent/tessera-objects');
  });
});
