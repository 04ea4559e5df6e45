#!/usr/bin/env bash
# Runs `pnpm bench:gpu` on a GPU machine from what bench/gpu/prepare.sh put in .gpu/ (../shared/gpu/README.md's
# recipe): unpacks Node and dawn.node, installs Debian's Vulkan loader and libglvnd from .gpu/debs (dpkg -x into / as
# root, else into a private folder on LD_LIBRARY_PATH), points Vulkan at the NVIDIA driver, runs the bundle on WebGPU
# (PyTorch's baseline in the same run), then a real 2-worker Tessera job (bench/gpu/cluster-job.ts: coordinator,
# workers, gRPC, the Sonar MLP) on the same backend, and leaves in $OUT: gpu.json and gpu.log (the benchmark),
# cluster-job.json, cluster-job.log and cluster-job-logs/ (the job, its events, the coordinator's and workers' logs),
# and gpu-device.txt (the GPU's description).
#
#   bash bench/gpu/run.sh        (repository root or anywhere; BENCH_* and TESSERA_* variables pass through)
#   GPU_RUN_PARTS="bench cluster-job" (default: both, in that order); e.g. GPU_RUN_PARTS=cluster-job for the job only
#
# The benchmark uses BENCH_BACKEND (default webgpu), the job TESSERA_BACKEND (default: BENCH_BACKEND). Exit status: 0
# when every part run succeeded, else the first failure's; each part's status is printed at the end, and a failed
# job never loses gpu.json. Without an NVIDIA Vulkan driver both stop with "backend webgpu is unavailable: no WebGPU
# adapter found" (a named backend never falls back to another). Expected length on an H100: about two minutes for the
# benchmark (tfjs's first VGG16 step compiles its shaders; PyTorch's four modes take seconds each), about one for
# the job (30 epochs unless BENCH_CLUSTER_EPOCHS says otherwise; cancelled and failed after BENCH_CLUSTER_TIMEOUT_S,
# default 240).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
gpu=$root/.gpu
say() { printf 'run: %s\n' "$*" >&2; }
[[ -f "$gpu/bundle.js" ]] || { say "no $gpu/bundle.js: run bench/gpu/prepare.sh here and carry .gpu to this machine"; exit 2; }

work=$(mktemp -d /tmp/tessera-gpu.XXXXXX)
out=${OUT:-$work/out}
# Node and dawn.node unpacked take ~120 MB of /tmp; keep them only when the results live beside them.
[[ -n "${OUT:-}" ]] && trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
xz -d -c "$gpu/node.xz" > "$work/node"
chmod +x "$work/node"
xz -d -c "$gpu/dawn.node.xz" > "$work/dawn.node"
say "node $("$work/node" --version)"

shopt -s nullglob
debs=("$gpu"/debs/*.deb)
if (( ${#debs[@]} > 0 )); then
  if [[ $(id -u) == 0 ]]; then
    for f in "${debs[@]}"; do dpkg -x "$f" /; done
    ldconfig
    say "installed ${#debs[@]} .debs into /"
  else
    for f in "${debs[@]}"; do dpkg -x "$f" "$work/sysroot"; done
    export LD_LIBRARY_PATH="$work/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "not root: ${#debs[@]} .debs unpacked into $work/sysroot (LD_LIBRARY_PATH)"
  fi
fi

if [[ -z "${VK_DRIVER_FILES:-}" ]]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
    /etc/vulkan/icd.d/nvidia_icd.json; do
    if [[ -f "$icd" ]]; then export VK_DRIVER_FILES=$icd; break; fi
  done
fi
say "VK_DRIVER_FILES=${VK_DRIVER_FILES:-(no NVIDIA ICD file found; Vulkan will search its defaults)}"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true; } > "$out/gpu-device.txt"
cat "$out/gpu-device.txt" >&2

export BENCH_BACKEND=${BENCH_BACKEND:-webgpu}
export BENCH_DAWN_NODE=$work/dawn.node
export BENCH_PYTORCH_SCRIPT=${BENCH_PYTORCH_SCRIPT:-$gpu/pytorch-vgg16-baseline.py}
export BENCH_RESULTS=$out/gpu.json
# The data-parallel ranks' peer servers and the cluster's processes load the gRPC contracts from proto/.
export TESSERA_PROTO_ROOT=$root/proto
parts=${GPU_RUN_PARTS:-bench cluster-job}
status=0
bench_status=skipped
job_status=skipped
if [[ " $parts " == *" bench "* ]]; then
  bench_status=0
  "$work/node" "$gpu/bundle.js" 2>&1 | tee "$out/gpu.log" || bench_status=$?
  say "benchmark: exit $bench_status"
  (( status == 0 )) && status=$bench_status
fi
if [[ " $parts " == *" cluster-job "* ]]; then
  job_status=0
  if ! xz -d -c "$gpu/cluster.tar.xz" | tar -x -C "$work"; then
    say "could not unpack $gpu/cluster.tar.xz (rerun bench/gpu/prepare.sh)"
    job_status=2
  else
    # 30 of the spec's 150 epochs (240 steps): enough to see both ranks start, train and finish within a minute (on
    # SwiftShader ~0.2 s a step after ~15 s of shader compiling); BENCH_CLUSTER_EPOCHS=150 runs the whole spec.
    TESSERA_BACKEND=${TESSERA_BACKEND:-$BENCH_BACKEND} TESSERA_DATASET_MIRROR=$gpu BENCH_CLUSTER_RESULTS=$out/cluster-job.json \
      BENCH_CLUSTER_LOGS=$out/cluster-job-logs BENCH_CLUSTER_EPOCHS=${BENCH_CLUSTER_EPOCHS:-30} \
      BENCH_CLUSTER_TIMEOUT_S=${BENCH_CLUSTER_TIMEOUT_S:-240} "$work/node" "$work/cluster/cluster-job.js" 2>&1 |
      tee "$out/cluster-job.log" || job_status=$?
  fi
  say "cluster job: exit $job_status"
  (( status == 0 )) && status=$job_status
fi
say "benchmark: $bench_status; cluster job: $job_status; results in $out"
exit "$status"
