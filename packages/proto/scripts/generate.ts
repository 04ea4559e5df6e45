// Regenerates packages/proto/src/generated from proto/ with the runtime's own loader options.
// CI runs this and fails if the committed files change.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOADER_OPTIONS } from '../src/loader-options.ts';
import { PROTO_FILES, PROTO_ROOT } from '../src/contracts.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../src/generated');
rmSync(out, { recursive: true, force: true });
const bin = path.resolve(here, '../node_modules/.bin/proto-loader-gen-types');
for (const [name, file] of Object.entries(PROTO_FILES)) {
  execFileSync(bin, [
    `--longs=${LOADER_OPTIONS.longs.name}`,
    `--enums=${LOADER_OPTIONS.enums.name}`,
    ...(LOADER_OPTIONS.keepCase ? ['--keepCase'] : []),
    ...(LOADER_OPTIONS.defaults ? ['--defaults'] : []),
    ...(LOADER_OPTIONS.oneofs ? ['--oneofs'] : []),
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.ts',
    '--inputTemplate=%s',
    '--outputTemplate=%s__Output',
    `--includeDirs=${PROTO_ROOT}`,
    `--outDir=${out}`,
    `--targetFileExtension=.ts`,
    file,
  ], { stdio: 'inherit' });
  // proto-loader names the root file after the proto; keep one stable name per service.
  const produced = path.join(out, path.basename(file).replace(/\.proto$/, '.ts'));
  if (produced !== path.join(out, `${name}.ts`)) execFileSync('mv', [produced, path.join(out, `${name}.ts`)]);
}

// The generator writes each proto's absolute path into a comment; make it repository-relative so the output does
// not depend on where the clone lives.
for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const file = path.join(entry.parentPath, entry.name);
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`${PROTO_ROOT}/`, 'proto/'));
}
