#!/usr/bin/env bash
# Builds .gpu/ (git ignores it): everything `pnpm bench:gpu` needs on a GPU machine that has Python with PyTorch but
# no Node.js, no node_modules and no package registry, and takes at most 64 MiB of files with a run (the recipe in
# ../shared/gpu/README.md). Run it here, from anywhere; then, on the GPU machine, in the repository root with .gpu/
# carried along: bash bench/gpu/run.sh
#
#   .gpu/node.xz                  this machine's Node (xz: ~99 MB -> ~24 MB)
#   .gpu/dawn.node.xz             Dawn's Node bindings from the `webgpu` package (xz: 21 MB -> 5 MB)
#   .gpu/bundle.js                esbuild bundle of bench/gpu.ts (tfjs, the worker's selectBackend, the bench); it
#                                 loads dawn.node by path (BENCH_DAWN_NODE), never from node_modules
#   .gpu/package.json             {"type":"module"}: the bundle is an ES module wherever it lands
#   .gpu/pytorch-vgg16-baseline.py
#   .gpu/debs/*.deb               Debian 12's Vulkan loader and libglvnd (the NVIDIA Vulkan ICD is libGLX_nvidia.so.0,
#                                 which needs glvnd; without them the loader says "Found no drivers")
#   .gpu/wasm-pthread-worker.js   lets the same bundle run here on the threaded wasm backend, as a check
#   .gpu/cluster.tar.xz           bench/gpu/cluster-job.ts, a real 2-worker Tessera job (xz: ~33 MB -> ~6 MB), in cluster/:
#                                 cluster-job.js (launcher, coordinator and worker in one bundle, by --tessera-role),
#                                 heartbeat-thread-entry.mjs (the worker's heartbeat thread), PGlite's pglite.wasm and
#                                 pglite.data (it loads them beside its code), the coordinator's migrations/, dcmjs
#                                 (node_modules/: the medical code loads it through createRequire, which esbuild cannot
#                                 follow); sharp (native) is replaced by bench/gpu/sharp-unavailable.ts
#   .gpu/sonar/sonar.csv          the Sonar data the job trains on (SONAR_CSV, default ../shared/datasets/sonar/sonar.csv;
#                                 .gpu/ is ignored: data never enters the repository)
#
# Needs: xz, apt-get with Debian's mirrors reachable (only for the .debs; PREPARE_SKIP_DEBS=1 skips them, for a
# GPU machine that already has libvulkan1 and libglvnd). Fails if .gpu/ would pass 56 MiB, leaving room for the tree.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=.gpu
say() { printf 'prepare: %s\n' "$*" >&2; }

grep -qxF '/.gpu/' .gitignore || { say 'add /.gpu/ to .gitignore first'; exit 1; }
rm -rf "$out"
mkdir -p "$out/debs"

node_bin=${NODE_BIN:-$(command -v node)}
node_bin=$(readlink -f "$node_bin")
say "node $("$node_bin" --version) from $node_bin -> $out/node.xz"
xz -T2 -6 -c "$node_bin" > "$out/node.xz"

# `webgpu` is ESM-only: ask the ESM resolver where its index.js is; dawn.node sits in dist/<platform>-<arch>/.
webgpu_index=$(node --input-type=module -e "console.log(new URL(import.meta.resolve('webgpu')).pathname)")
dawn=$(dirname "$webgpu_index")/dist/linux-x64/dawn.node
say "dawn.node from $dawn -> $out/dawn.node.xz"
xz -T2 -6 -c "$dawn" > "$out/dawn.node.xz"

# esbuild comes with tsx (a root devDependency). The banner gives the CommonJS parts of tfjs inside the ES module
# bundle the `require`, `__filename` and `__dirname` they expect (tfjs-backend-wasm finds its files through them).
esbuild_pkg=$(node -p "require.resolve('esbuild/package.json', { paths: [require.resolve('tsx/package.json')] })")
esbuild=$(dirname "$esbuild_pkg")/bin/esbuild
banner="import { createRequire as __benchRequire } from 'node:module';"
banner+=" import { fileURLToPath as __benchPath } from 'node:url'; import { dirname as __benchDir } from 'node:path';"
banner+=" globalThis.require ??= __benchRequire(import.meta.url); globalThis.__filename ??= __benchPath(import.meta.url);"
banner+=" globalThis.__dirname ??= __benchDir(globalThis.__filename);"
say "esbuild $("$esbuild" --version): bench/gpu.ts -> $out/bundle.js"
"$esbuild" bench/gpu.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$out/bundle.js" --banner:js="$banner"
printf '{ "type": "module" }\n' > "$out/package.json"
cp bench/gpu/pytorch-vgg16-baseline.py "$out/"
cp packages/core/src/backends/wasm-pthread-worker.js "$out/"

# The cluster job: built in a scratch folder, shipped as one tar.xz (run.sh unpacks it beside Node).
stage=$(mktemp -d /tmp/tessera-cluster.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cluster=$stage/cluster
mkdir -p "$cluster/node_modules/dcmjs/build"
say "esbuild: bench/gpu/cluster-job.ts -> cluster/cluster-job.js, the heartbeat thread -> cluster/heartbeat-thread-entry.mjs"
"$esbuild" bench/gpu/cluster-job.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$cluster/cluster-job.js" --banner:js="$banner" --alias:sharp=./bench/gpu/sharp-unavailable.ts
# heartbeats.ts starts its thread from `new URL('./heartbeat-thread-entry.mjs', import.meta.url)`: beside the bundle.
"$esbuild" apps/worker/src/agent/heartbeat-thread.ts --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --outfile="$cluster/heartbeat-thread-entry.mjs" --banner:js="$banner"
printf '{ "type": "module" }\n' > "$cluster/package.json"
cp -r apps/coordinator/prisma/migrations "$cluster/migrations"
pglite_index=$(cd apps/coordinator && node --input-type=module -e "console.log(new URL(import.meta.resolve('@electric-sql/pglite')).pathname)")
cp "$(dirname "$pglite_index")/pglite.wasm" "$(dirname "$pglite_index")/pglite.data" "$cluster/"
dcmjs_js=$(cd packages/medical && node -p "require.resolve('dcmjs')")
cp "$(dirname "$dcmjs_js")/../package.json" "$cluster/node_modules/dcmjs/"
cp "$dcmjs_js" "$cluster/node_modules/dcmjs/build/"
say "cluster/: $(du -sh "$cluster" | cut -f1) -> $out/cluster.tar.xz"
tar -C "$stage" -cf - cluster | xz -T2 -6 -c > "$out/cluster.tar.xz"
rm -rf "$stage"
trap - EXIT
sonar=${SONAR_CSV:-$root/../shared/datasets/sonar/sonar.csv}
[[ -f "$sonar" ]] || { say "no Sonar CSV at $sonar (set SONAR_CSV)"; exit 1; }
mkdir -p "$out/sonar"
cp "$sonar" "$out/sonar/sonar.csv"

if [[ "${PREPARE_SKIP_DEBS:-}" == 1 ]]; then
  say 'PREPARE_SKIP_DEBS=1: no Vulkan/glvnd .debs (the GPU machine must have libvulkan1 and libglvnd already)'
else
  # A private package list and cache: this machine's own apt state is left as it was.
  apt_dir=$(mktemp -d /tmp/tessera-apt.XXXXXX)
  trap 'rm -rf "$apt_dir"' EXIT
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$apt_dir/lists"
    "-oDir::Cache=$apt_dir/cache" -oAPT::Sandbox::User=root -qq)
  say 'apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2'
  if ! apt-get "${apt_opts[@]}" update >&2 ||
    ! (cd "$out/debs" && apt-get "${apt_opts[@]}" download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >&2); then
    say 'FAILED to download the Vulkan/glvnd .debs from the Debian mirrors (no network to them?).'
    say 'Without them WebGPU finds no NVIDIA driver on a bare GPU machine; rerun with PREPARE_SKIP_DEBS=1 only if'
    say 'the GPU machine has libvulkan1 and libglvnd installed.'
    exit 1
  fi
fi

bytes=$(du -sb "$out" | cut -f1)
say "$out: $(du -sh "$out" | cut -f1) in $(find "$out" -type f | wc -l) files"
if (( bytes > 56 * 1024 * 1024 )); then
  say "$out is over 56 MiB: with the working tree it would not fit a run's 64 MiB"
  exit 1
fi
say "done; on the GPU machine: bash bench/gpu/run.sh (carry .gpu); here, as a check:"
say "  BENCH_BACKEND=wasm $node_bin $out/bundle.js"
say "  (cluster job only, on SwiftShader: GPU_RUN_PARTS=cluster-job VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json bash bench/gpu/run.sh)"
