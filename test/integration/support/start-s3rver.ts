import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { S3RVER_ACCESS_KEY, startS3rver } from './in-process-s3rver.ts';

// CI runs this in the background and points TESSERA_TEST_S3_ENDPOINT at the printed endpoint:
//   tsx test/integration/support/start-s3rver.ts --port 4569 --dir /tmp/s3rver &
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4569' },
    dir: { type: 'string', default: path.join(process.cwd(), '.tessera', 's3rver') },
    address: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`--port must be an integer from 0 to 65535, got '${values.port}'`);
}
const directory = path.resolve(values.dir);
await mkdir(directory, { recursive: true });
const server = await startS3rver({ address: values.address, port, directory });
console.log(server.endpoint);
console.error(`s3rver serving ${directory} at ${server.endpoint} (access key and secret ${S3RVER_ACCESS_KEY})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
