# PyTorch baseline for `pnpm bench:gpu` (bench/gpu.ts runs it in the same run as the tfjs figures).
#
# Provenance: adapted from /work/shared/gpu/pytorch-vgg16-baseline.py (../shared/gpu/ beside the repository), the
# script behind the H100 figures in ../shared/gpu/README.md. Changes from it:
# - sizes come from arguments (or the same BENCH_* variables bench/gpu.ts reads) so both frameworks run one workload;
# - the model is VGG16 with Keras's top: 1000 classes by default (the original used num_classes=2) and, at inputs
#   other than 224, no adaptive average pooling and fc1 sized to (side/32)^2*512 inputs, exactly as
#   keras.applications.VGG16 (packages/core/src/models/vgg16.ts) builds it; at 224 the parameters are Keras's
#   138,357,544;
# - no dropout in the top (Keras's VGG16 has none; torchvision's has two Dropout layers);
# - each timed run is synchronised on its own and the figure is the median (the original timed the mean of a
#   back-to-back loop); forward is also timed with TF32 off (fp32 strict), the figure the ratios use;
# - it runs on the CPU when CUDA is absent (TF32 and bf16 figures are then null);
# - progress goes to stderr and one JSON object to stdout at the end.
import argparse, json, os, statistics, sys, time

def env_int(name, default):
    raw = os.environ.get(name, '').strip()
    return int(raw) if raw else default

p = argparse.ArgumentParser(description='VGG16 and matmul throughput of PyTorch, as JSON on stdout')
p.add_argument('--image-size', type=int, default=env_int('BENCH_IMAGE_SIZE', 224))
p.add_argument('--batch', type=int, default=env_int('BENCH_BATCH', 16))
p.add_argument('--forward-batch', type=int, default=env_int('BENCH_FORWARD_BATCH', 16))
p.add_argument('--matmul', type=int, default=env_int('BENCH_MATMUL', 4096))
p.add_argument('--classes', type=int, default=env_int('BENCH_CLASSES', 1000))
p.add_argument('--warmup', type=int, default=env_int('BENCH_WARMUP', 3))
p.add_argument('--train-reps', type=int, default=env_int('BENCH_TRAIN_REPS', 10))
p.add_argument('--forward-reps', type=int, default=env_int('BENCH_FORWARD_REPS', 10))
p.add_argument('--matmul-reps', type=int, default=env_int('BENCH_MATMUL_REPS', 20))
args = p.parse_args()

import torch, torchvision

dev = 'cuda' if torch.cuda.is_available() else 'cpu'
cuda = dev == 'cuda'

def log(line):
    print(f'pytorch: {line}', file=sys.stderr, flush=True)

def sync():
    if cuda: torch.cuda.synchronize()

def median_s(fn, reps):
    for _ in range(args.warmup): fn()
    sync(); times = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t)
    return statistics.median(times)

def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on; torch.backends.cudnn.allow_tf32 = on

device_name = torch.cuda.get_device_name(0) if cuda else f'CPU ({os.cpu_count()} threads: {torch.get_num_threads()})'
log(f'torch {torch.__version__} on {device_name}')
res = {'device': device_name, 'torch': torch.__version__}

set_tf32(False)
n = args.matmul; a = torch.randn(n, n, device=dev); b = torch.randn(n, n, device=dev)
res['matmul_fp32_gflops'] = 2 * n**3 / median_s(lambda: a @ b, args.matmul_reps) / 1e9
log(f'matmul {n} fp32: {res["matmul_fp32_gflops"]:.1f} GFLOP/s')
del a, b

m = torchvision.models.vgg16(num_classes=args.classes)
m.classifier[2] = torch.nn.Identity(); m.classifier[5] = torch.nn.Identity()
if args.image_size != 224:
    side = args.image_size // 32
    m.avgpool = torch.nn.Identity()
    m.classifier[0] = torch.nn.Linear(512 * side * side, 4096)
m = m.to(dev)
res['parameters'] = sum(p.numel() for p in m.parameters())
opt = torch.optim.SGD(m.parameters(), lr=0.01)
x = torch.randn(args.batch, 3, args.image_size, args.image_size, device=dev)
y = torch.randint(0, args.classes, (args.batch,), device=dev)
xf = torch.randn(args.forward_batch, 3, args.image_size, args.image_size, device=dev)

def step():
    opt.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()

def step_amp():
    opt.zero_grad(set_to_none=True)
    with torch.autocast('cuda', dtype=torch.bfloat16):
        loss = torch.nn.functional.cross_entropy(m(x), y)
    loss.backward(); opt.step()

def forward():
    with torch.no_grad(): m(xf)

torch.backends.cudnn.benchmark = True
m.train()
res['train_fp32_img_s'] = args.batch / median_s(step, args.train_reps)
log(f'train fp32 strict: {res["train_fp32_img_s"]:.1f} img/s')
m.eval()
res['forward_fp32_img_s'] = args.forward_batch / median_s(forward, args.forward_reps)
log(f'forward fp32 strict: {res["forward_fp32_img_s"]:.1f} img/s')
res['train_tf32_img_s'] = res['train_bf16_amp_img_s'] = res['forward_tf32_img_s'] = None
if cuda:
    set_tf32(True)
    m.train()
    res['train_tf32_img_s'] = args.batch / median_s(step, args.train_reps)
    res['train_bf16_amp_img_s'] = args.batch / median_s(step_amp, args.train_reps)
    m.eval()
    res['forward_tf32_img_s'] = args.forward_batch / median_s(forward, args.forward_reps)
    log(f'train tf32 {res["train_tf32_img_s"]:.1f}, bf16 autocast {res["train_bf16_amp_img_s"]:.1f}, '
        f'forward tf32 {res["forward_tf32_img_s"]:.1f} img/s')

print(json.dumps(res), flush=True)
