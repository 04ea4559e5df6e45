#!/usr/bin/env bash
# Runs `pnpm bench:gpu` on a GPU machine from what bench/gpu/prepare.sh put in .gpu/ (../shared/gpu/README.md's
# recipe): unpacks Node and dawn.node, installs Debian's Vulkan loader and libglvnd from .gpu/debs (dpkg -x into / as
# root, else into a private folder on LD_LIBRARY_PATH), points Vulkan at the NVIDIA driver, runs the bundle on WebGPU
# (PyTorch's baseline in the same run) and leaves gpu.json, the log and the GPU's description in $OUT.
#
#   bash bench/gpu/run.sh        (repository root or anywhere; BENCH_* variables pass through, e.g. BENCH_BACKEND)
#
# Exit status is the benchmark's. Without an NVIDIA Vulkan driver it stops with "backend webgpu is unavailable: no
# WebGPU adapter found" (BENCH_BACKEND=webgpu never falls back to another backend). Expected length on an H100: about
# two minutes (tfjs's first VGG16 step compiles its shaders; PyTorch's four modes take seconds each).
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
# The data-parallel ranks' peer servers load the gRPC contracts from the repository's proto/ folder.
export TESSERA_PROTO_ROOT=$root/proto
status=0
"$work/node" "$gpu/bundle.js" 2>&1 | tee "$out/gpu.log" || status=$?
say "exit $status; results in $out"
exit "$status"
