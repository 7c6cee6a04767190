"""How fast are class activation maps? petcam against the plain forward pass, the reference loop, torchcam and pytorch-grad-cam.

Every method runs on the same randomly initialised model (a torchvision body + petcam's GAP/Linear `cam_head`), the same
batch and the same image size, interleaved in one process: a warm-up round, then `--reps` rounds in a shuffled order.
Printed per method: images/s (from the median time of a batch), the ratio to the plain eager fp32 forward pass (median of
the per-round ratios: robust to a noisy machine) and the peak memory the method needs above the model and the batch
(measured in fresh subprocesses: peak RSS on CPU, `torch.cuda.max_memory_allocated` on CUDA), for a first call (which
includes one-time preparation: petcam's inference copy of the body, hooks) and for a call once that is done.
The numbers are shapes-and-speed only: no data, no weights, no network needed.

    pip install -e ".[bench]"        # torchcam and grad-cam, benchmark-only extras
    python bench/cam_speed.py        # CPU, sizes 224 and 512, batch 16
    python bench/cam_speed.py --sizes 224 --reps 3 --threads 2
    python bench/cam_speed.py --device cuda
"""
from __future__ import annotations
import argparse, copy, json, os, random, statistics, subprocess, sys, time, warnings
import torch
from torch import nn
from fastai.vision.all import create_body, num_features_model
from petcam.model import archs, cam_head
from petcam.cam import class_maps

def make_model(arch, n_classes, device):
    "A random-init CAM model `nn.Sequential(body, cam_head)`, in eval mode on `device`."
    torch.manual_seed(0)
    fn, cut, _ = archs[arch]
    body = create_body(fn(), pretrained=False, cut=cut)
    return nn.Sequential(body, cam_head(num_features_model(body), n_classes)).eval().to(device)

def lowp_dtype(device): return 'bf16' if device == 'cpu' else 'fp16'

# Each method: `setup(model, device) -> fn(x)`; setup runs once, outside the timings (hooks, extractors, copies).

def m_forward(model, device):
    "The plain eager fp32 forward pass: what classifying the batch costs."
    def f(x):
        with torch.no_grad(): return model(x)
    return f

def m_reference(model, device):
    "The reference workflow: one image at a time; a forward for the prediction, one of the body, one for the probabilities."
    w = model[1][-1].weight
    def f(x):
        out = []
        with torch.no_grad():
            for xi in x.split(1):
                pred = model(xi).argmax(1)                         # 1. learn.predict: the prediction
                feats = model[0](xi)                               # 2. the body again, for the features
                probs = model(xi).softmax(1)                       # 3. the whole model again, for the probabilities
                out.append((torch.einsum('kc,bchw->bkhw', w, feats), pred, probs))
        return out
    return f

def m_petcam(**kw):
    def setup(model, device):
        def f(x): return class_maps(model, x, **kw)
        return f
    return setup

def m_petcam_gradcam(model, device):
    from petcam.gradcam import grad_cam
    def f(x): return grad_cam(model, x)
    return f

def m_petcam_gradcam_fast(model, device):
    "A suggestion: petcam's Grad-CAM of the body run on the body's `inference_body` copy (fp32, BatchNorm folded, channels_last)."
    from petcam.gradcam import grad_cam
    from petcam.cam import inference_body
    def f(x):
        fast = nn.Sequential(inference_body(model[0]), model[1])
        return grad_cam(fast, x.contiguous(memory_format=torch.channels_last))
    return f

def m_torchcam(model, device):
    from torchcam.methods import CAM
    model = copy.deepcopy(model)                                   # its own copy: torchcam's hooks stay off the others
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        cam = CAM(model, target_layer=model[0], fc_layer=model[1][-1], input_shape=(3, 224, 224))
    def f(x):
        with torch.no_grad(): out = model(x)
        return cam(out.argmax(1).tolist(), out)
    return f

def m_gradcam_lib(model, device):
    from pytorch_grad_cam import GradCAM
    model = copy.deepcopy(model)
    cam = GradCAM(model=model, target_layers=[model[0]])
    def f(x): return cam(input_tensor=x, targets=None)
    return f

def methods(device):
    lp = lowp_dtype(device)
    return {'forward (eager fp32)': m_forward,
            'reference loop (bs 1, 3 passes)': m_reference,
            'petcam CAM fp32': m_petcam(),
            'petcam CAM fp32 upsampled': m_petcam(upsample=True),
            f'petcam CAM {lp}': m_petcam(precision=lp),
            f'petcam CAM {lp} upsampled': m_petcam(precision=lp, upsample=True),
            'petcam Grad-CAM (all classes)': m_petcam_gradcam,
            'petcam Grad-CAM on inference_body': m_petcam_gradcam_fast,
            'torchcam CAM': m_torchcam,
            'pytorch-grad-cam GradCAM': m_gradcam_lib}

def sync(device):
    if device.startswith('cuda'): torch.cuda.synchronize()

def timed(f, x, device):
    sync(device); t = time.perf_counter(); f(x); sync(device)
    return time.perf_counter() - t

def batch(args, size): return torch.randn(args.bs, 3, size, size, generator=torch.Generator().manual_seed(1)).to(args.device)

def checks(model, x):
    "fp32 petcam maps vs the eager computation, and reduced-precision maps vs fp32 (random weights)."
    with torch.no_grad(): ref = torch.einsum('kc,bchw->bkhw', model[1][-1].weight, model[0](x))
    fp32 = class_maps(model, x).maps
    lp = class_maps(model, x, precision=lowp_dtype(str(x.device.type))).maps
    a, b = fp32.flatten(2), lp.flatten(2)
    corr = ((a - a.mean(2, keepdim=True)) * (b - b.mean(2, keepdim=True))).sum(2) / (a.std(2) * b.std(2) * (a.shape[2] - 1))
    return (fp32 - ref).abs().max().item(), ref.abs().max().item(), corr.min().item(), corr.mean().item()

def selected(args):
    ms = {k: v for k, v in methods(args.device).items() if not args.only or any(o in k for o in args.only)}
    return ms if any(k.startswith('forward') for k in ms) else {'forward (eager fp32)': m_forward, **ms}

def run_speed(args, model, fns, size):
    "images/s and ratio to the forward pass of each method at `size`, interleaved rounds after a warm-up."
    x = batch(args, size)
    for f in fns.values(): f(x)                                      # warm-up (and one-time preparation)
    times = {k: [] for k in fns}
    for r in range(args.reps):
        order = list(fns); random.Random(r).shuffle(order)
        for k in order: times[k].append(timed(fns[k], x, args.device))
    base = times['forward (eager fp32)']
    res = {k: (args.bs / statistics.median(t), statistics.median(b / o for b, o in zip(base, t))) for k, t in times.items()}
    return res, checks(model, x)

def _rss_kb(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field): return int(line.split()[1])

def _peak(f, x, device):
    "Peak memory (MiB) of `f(x)` above what is in use before it."
    if device.startswith('cuda'):
        sync(device); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
        f(x); sync(device)
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    with open('/proc/self/clear_refs', 'w') as o: o.write('5')   # reset the peak RSS (VmHWM) to the current RSS
    base = _rss_kb('VmRSS')
    f(x)
    return (_rss_kb('VmHWM') - base) / 1024

def run_mem(args, name, size, prepared):
    "Peak MiB of a call of method `name` above the model and batch, in this fresh process; `prepared`: after a small call."
    model = make_model(args.arch, args.classes, args.device)
    x = batch(args, size)
    f = methods(args.device)[name](model, args.device)
    if prepared: f(torch.randn(1, 3, 64, 64, device=args.device))
    return round(_peak(f, x, args.device))

def mem_size(args, size):
    "Peak memory of each method at `size`, each in a fresh subprocess."
    if not (args.device.startswith('cuda') or os.path.exists('/proc/self/clear_refs')): return {}
    res = {}
    for name in selected(args):
        cmd = [sys.executable, __file__, '--mem-of', name, '--sizes', str(size), '--bs', str(args.bs), '--arch', args.arch,
               '--classes', str(args.classes), '--device', args.device] + (['--threads', str(args.threads)] if args.threads else [])
        res[name] = []
        for prepared in (False, True):
            p = subprocess.run(cmd + ['--prepared'] * prepared, capture_output=True, text=True)
            try: res[name].append(json.loads(p.stdout.strip().splitlines()[-1]))
            except Exception: res[name].append(''); print(f"memory of {name} failed:", p.stderr[-2000:], file=sys.stderr)
    return res

def report(args, size, speed, checked, mem):
    names = list(speed or mem)
    w = max(map(len, names))
    print(f"\n| {'method':{w}} | size | images/s | x forward | MiB 1st call | MiB prepared |\n|{'-'*(w+2)}|-----:|---------:|----------:|-------------:|-------------:|")
    for k in names:
        ips, ratio = speed.get(k, (float('nan'), float('nan')))
        m = mem.get(k) or ('', '')
        print(f"| {k:{w}} | {size:4d} | {ips:8.2f} | {ratio:8.2f}x | {m[0]:>12} | {m[1]:>12} |")
    if checked:
        d, mx, cmin, cmean = checked
        print(f"\n{size} px: petcam fp32 maps vs eager: max abs diff {d:.2e} (maps up to {mx:.1f}); "
              f"{lowp_dtype(args.device)} maps vs fp32: correlation min {cmin:.5f}, mean {cmean:.5f} (random weights)")
    sys.stdout.flush()

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--sizes', type=int, nargs='+', default=[224, 512], help='image sizes (square)')
    p.add_argument('--bs', type=int, default=16, help='batch size')
    p.add_argument('--reps', type=int, default=5, help='timed rounds (after one warm-up round)')
    p.add_argument('--threads', type=int, default=0, help='torch CPU threads (default: torch\'s choice)')
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--arch', default='resnet34', choices=list(archs), help='body architecture')
    p.add_argument('--classes', type=int, default=2, help='number of classes of the head')
    p.add_argument('--only', nargs='*', help='only the methods whose names contain one of these strings (and the forward pass)')
    p.add_argument('--no-mem', action='store_true', help='skip the peak-memory subprocesses')
    p.add_argument('--mem-only', action='store_true', help='only the peak memory, no timings')
    p.add_argument('--mem-of', help=argparse.SUPPRESS)
    p.add_argument('--prepared', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    if args.device.startswith('cuda') and not torch.cuda.is_available(): p.error('--device cuda: no CUDA device available')
    if args.mem_of: return print(json.dumps(run_mem(args, args.mem_of, args.sizes[0], args.prepared)))
    model = make_model(args.arch, args.classes, args.device)
    fns = {} if args.mem_only else {k: setup(model, args.device) for k, setup in selected(args).items()}
    print(f"CAM speed: {args.arch} body + GAP/Linear head ({args.classes} classes), random weights, batch {args.bs}, device "
          f"{args.device}, {torch.get_num_threads()} threads, torch {torch.__version__}; median of {args.reps} interleaved rounds")
    for size in args.sizes:
        speed, checked = ({}, None) if args.mem_only else run_speed(args, model, fns, size)
        report(args, size, speed, checked, {} if args.no_mem else mem_size(args, size))

if __name__ == '__main__': main()
