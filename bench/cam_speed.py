"""How fast is each CAM method? petcam against the plain forward pass, the reference loop, torchcam and pytorch-grad-cam.

Every method in petcam's registry (`petcam.methods.cam_methods`) runs beside each
peer's implementation of the same method (torchcam 0.5, pytorch-grad-cam 1.5: benchmark-only extras), on the same randomly
initialised model (a torchvision body cut as fastai's `create_body` cuts it + petcam's GAP/Linear `cam_head`), batch and
image size, interleaved in one process: a warm-up round, then `--reps` rounds in a shuffled order. Every method explains
the predicted class at the body's output, with its own default options unless stated in the row.

Printed per row: images/s (from the median time of a call), the ratio to the plain eager fp32 forward pass (median of the
per-round ratios of time per image: robust to a noisy machine), for petcam rows the speed-up over the faster peer (median
of per-round ratios), and the peak memory the call needs above the model and the batch (peak RSS on CPU,
`torch.cuda.max_memory_allocated` on CUDA), measured in a fresh process forked per row from a clean parent: for a first
call (including one-time preparation: petcam's inference copy of the body, hooks) and for a call once that is done.

Perturbation methods (Score-CAM, SS-CAM, IS-CAM, Ablation-CAM) need one forward pass per channel and image: they run on
`--perturb-bs` images for `--perturb-reps` rounds, with `--perturb-samples` noise samples (SS-CAM, IS-CAM) on both sides,
and peers with their default chunk sizes (torchcam 32, pytorch-grad-cam 16 for Score-CAM and 32 for Ablation-CAM). petcam
runs twice: scoring every channel as the peers do (the fair row, marked `all N ch`) and with its default channel bound.
Their memory is measured for the prepared call only. The numbers are shapes-and-speed only: no data, no weights.

    pip install -e ".[bench]"                          # torchcam and grad-cam
    python bench/cam_speed.py                          # resnet34, CPU, 224 px, batch 16
    python bench/cam_speed.py --arch mobilenet_v2
    python bench/cam_speed.py --only grad_cam score_cam --no-mem
    python bench/cam_speed.py --device cuda

The table also goes to `bench/results/cam_speed_<arch>.md` (`--no-save` to skip).
"""
from __future__ import annotations
import argparse, copy, ctypes, datetime, inspect, json, os, platform, random, shlex, statistics, sys, time, warnings, logging
from pathlib import Path
from typing import NamedTuple
import torch
from torch import nn
import torchvision.models as tvm
from fastai.vision.all import create_body, num_features_model, model_meta
from petcam.model import cam_head
from petcam.cam import class_maps

from _results import write_result
PERTURB = ('score_cam', 'ss_cam', 'is_cam', 'ablation_cam', 'sess')   # timed on --perturb-bs images
NOT_GRADIENT = ('cam', 'eigen_cam', 'fem', 'kpca_cam', 'deep_feature_factorization') + PERTURB
OPTIONS = {'grad_cam + aug_smooth': dict(aug_smooth=True), 'grad_cam + eigen_smooth': dict(eigen_smooth=True)}   # rows of options
TC, PGC = 'torchcam', 'pytorch-grad-cam'

def registered()->dict:
    "petcam's methods, by name, in registry order."
    from petcam.methods import cam_methods
    return dict(cam_methods)

def make_model(arch, n_classes, device):
    "A random-init CAM model `nn.Sequential(body, cam_head)`, the body cut where fastai cuts it, in eval mode on `device`."
    torch.manual_seed(0)
    fn = getattr(tvm, arch)
    m = fn()
    cut = model_meta.get(fn, {}).get('cut')
    if cut is None: cut = next(i for i, (n, _) in enumerate(m.named_children()) if n in ('avgpool', 'fc', 'classifier', 'head'))
    body = create_body(m, pretrained=False, cut=cut)
    return nn.Sequential(body, cam_head(num_features_model(body), n_classes)).eval().to(device)

def lowp(device): return 'bf16' if device == 'cpu' else 'fp16'
def lowp_dtype(device): return torch.bfloat16 if device == 'cpu' else torch.float16

# --------------------------------------------------------------------------------------------------------------- rows
class Row(NamedTuple):
    name: str               # printed name
    method: str             # registry name it belongs to ('' for the references)
    impl: str               # 'petcam', 'torchcam', 'pytorch-grad-cam', or '' for the references
    setup: callable         # setup(model, args) -> f(x); runs once, outside the timings
    perturb: bool = False   # timed on --perturb-bs images, --perturb-reps rounds
    channels: str = ''      # channels scored, for perturbation rows

def m_forward(model, args):
    "The plain eager fp32 forward pass: what classifying the batch costs."
    def f(x):
        with torch.no_grad(): return model(x)
    return f

def m_reference(model, args):
    "The reference workflow: one image at a time; a forward for the prediction, one of the body, one for the probabilities."
    w = model[1][-1].weight
    def f(x):
        out = []
        with torch.no_grad():
            for xi in x.split(1):
                pred = model(xi).argmax(1)
                feats = model[0](xi)
                probs = model(xi).softmax(1)
                out.append((torch.einsum('kc,bchw->bkhw', w, feats), pred, probs))
        return out
    return f

def m_class_maps(**kw):
    def setup(model, args):
        def f(x):
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')     # precision='bf16' on a CPU without bf16 instructions warns once, runs fp32
                return class_maps(model, x, **kw)
        return f
    return setup

def _has(fn, name): return name in inspect.signature(fn).parameters

def petcam_options(fn, name, args, all_channels=False):
    "Options of petcam method `fn` for this run: the noise samples of the peers, and (fair rows) every channel."
    kw = {}
    if name in ('ss_cam', 'is_cam') and _has(fn, 'n_samples'): kw['n_samples'] = args.perturb_samples
    if all_channels and _has(fn, 'top_k'): kw['top_k'] = None
    return kw

def _petcam_fn(name):
    "The petcam function a row's name stands for: a registered method (maybe with options), or deep feature factorization."
    if name == 'deep_feature_factorization': return __import__('petcam.factorization', fromlist=['x']).deep_feature_factorization
    return registered()[name.split(' + ')[0]]

def m_petcam(name, all_channels=False):
    def setup(model, args):
        fn = _petcam_fn(name)
        kw = {**petcam_options(fn, name, args, all_channels), **OPTIONS.get(name, {})}
        if name == 'sess': kw['progress'] = False
        def f(x): return fn(model, x, **kw)
        return f
    return setup

def _quiet():
    warnings.filterwarnings('ignore')
    logging.getLogger('torchcam').setLevel(logging.ERROR)
    try:   # pytorch-grad-cam draws a tqdm bar per image for Score-CAM and Ablation-CAM
        import tqdm, functools
        tqdm.tqdm.__init__ = functools.partialmethod(tqdm.tqdm.__init__, disable=True)
    except ImportError: pass

def m_torchcam(cls, **kw):
    def setup(model, args):
        import torchcam.methods as tm
        model = copy.deepcopy(model).requires_grad_(True)   # its own copy: torchcam's hooks stay off the others
        extra = dict(fc_layer=model[1][-1]) if cls == 'CAM' else {}
        if cls in ('SSCAM', 'ISCAM'): extra['num_samples'] = args.perturb_samples
        layers = model[0]
        if kw.get('fused') or kw.get('layers') == 'fusion':
            from petcam.gradient import fusion_layers
            layers = fusion_layers(model)
        if 'base' in kw: extra['base_method'] = getattr(tm, kw['base'])
        ext = tm.__dict__[cls](model, target_layer=layers, input_shape=(3, args.size, args.size), **extra)
        grad = cls not in ('CAM', 'ScoreCAM', 'SSCAM', 'ISCAM')
        def f(x):
            with torch.set_grad_enabled(grad): scores = model(x)
            cams = ext(class_idx=scores.argmax(1).tolist(), scores=scores)
            return ext.fuse_cams(cams) if kw.get('fused') else cams
        return f
    return setup

def m_gradcam_lib(cls, layers='body', call=None, gradcam=False, **ctor):
    "pytorch-grad-cam's `cls` on its own copy of the model: its layers ('body' or petcam's 'fusion' pair), options of its call."
    def setup(model, args):
        import pytorch_grad_cam as pg
        model = copy.deepcopy(model).requires_grad_(True)
        if cls == 'GuidedBackpropReLUModel': return _pgc_guided(pg, model, gradcam)
        if cls == 'DeepFeatureFactorization':
            dff = pg.DeepFeatureFactorization(model=model, target_layer=model[0], computation_on_concepts=model[1][-1])
            return lambda x: dff(x, n_components=5)
        mods = [model[0]]
        if layers == 'fusion':
            from petcam.gradient import fusion_layers
            mods = [model.get_submodule(n) for n in fusion_layers(model)]
        cam = pg.__dict__[cls](model=model, target_layers=[] if cls == 'FullGrad' else mods, **ctor)
        def f(x): return cam(input_tensor=x, targets=None, **(call or {}))
        return f
    return setup

def _pgc_guided(pg, model, gradcam):
    "pytorch-grad-cam's guided backpropagation explains one image per call (its API); with `gradcam`, times its Grad-CAM."
    gb = pg.GuidedBackpropReLUModel(copy.deepcopy(model), device=next(model.parameters()).device)
    cam = pg.GradCAM(model=model, target_layers=[model[0]]) if gradcam else None
    def f(x):
        g = [gb(x[i:i + 1].clone()) for i in range(len(x))]
        return [o * c[..., None] for o, c in zip(g, cam(input_tensor=x, targets=None))] if gradcam else g
    return f

PEERS = {   # registry name -> the peers' implementations of the same method, with their default settings
    'cam': [(TC, 'CAM')],
    'grad_cam': [(TC, 'GradCAM'), (PGC, 'GradCAM')],
    'grad_cam_pp': [(TC, 'GradCAMpp'), (PGC, 'GradCAMPlusPlus')],
    'smooth_grad_cam_pp': [(TC, 'SmoothGradCAMpp')],
    'xgrad_cam': [(TC, 'XGradCAM'), (PGC, 'XGradCAM')],
    'hires_cam': [(PGC, 'HiResCAM')],
    'grad_cam_elementwise': [(PGC, 'GradCAMElementWise')],
    'layer_cam': [(TC, 'LayerCAM'), (PGC, 'LayerCAM')],
    'fused_cam': [(TC, 'LayerCAM', dict(fused=True))],
    'score_cam': [(TC, 'ScoreCAM'), (PGC, 'ScoreCAM')],
    'ss_cam': [(TC, 'SSCAM')],
    'is_cam': [(TC, 'ISCAM')],
    'ablation_cam': [(PGC, 'AblationCAM')],
    'eigen_cam': [(PGC, 'EigenCAM')],
    'eigen_grad_cam': [(PGC, 'EigenGradCAM')],
    'full_grad': [(PGC, 'FullGrad')],
    'finer_cam': [(TC, 'FinerCAM'), (PGC, 'FinerCAM')],
    'shapley_cam': [(PGC, 'ShapleyCAM')],
    'fem': [(PGC, 'FEM')],
    'kpca_cam': [(PGC, 'KPCA_CAM')],
    'refine_cam': [(TC, 'RefineCAM', dict(layers='fusion')), (PGC, 'RefineCAM', dict(layers='fusion'))],
    'sess': [(PGC, 'SESS')],
    'guided_backprop': [(PGC, 'GuidedBackpropReLUModel')],
    'guided_grad_cam': [(PGC, 'GuidedBackpropReLUModel', dict(gradcam=True))],
    'deep_feature_factorization': [(PGC, 'DeepFeatureFactorization')],
    'grad_cam + aug_smooth': [(PGC, 'GradCAM', dict(call=dict(aug_smooth=True)))],
    'grad_cam + eigen_smooth': [(PGC, 'GradCAM', dict(call=dict(eigen_smooth=True)))],
}

def rows(args)->list:
    "Every row of this run: the references, CAM's precisions, then each method: petcam beside its peers."
    # the memory server gets `nch` from its parent: a forward pass here would start OpenMP threads, and a process forked
    # after that can hang (libgomp is not fork-safe)
    nch = args.nch or (num_features_model(make_model(args.arch, args.classes, 'cpu')[0]) if any(m in PERTURB for m in registered()) else 0)
    lp = lowp(args.device)
    res = [Row('forward (eager fp32)', '', '', m_forward),
           Row('reference loop (bs 1, 3 passes)', '', '', m_reference),
           Row('cam: petcam fp32', 'cam', 'petcam', m_class_maps()),
           Row('cam: petcam fp32 upsampled', 'cam', 'petcam', m_class_maps(upsample=True)),
           Row(f'cam: petcam {lp} forced (torch dtype)', 'cam', 'petcam', m_class_maps(precision=lowp_dtype(args.device))),
           Row(f"cam: petcam precision='{lp}'", 'cam', 'petcam', m_class_maps(precision=lp))]
    methods = registered()
    for name in list(PEERS) + [m for m in methods if m not in PEERS]:
        if name == 'cam': pass
        elif name.split(' + ')[0] not in methods and name != 'deep_feature_factorization': continue
        else:
            p = name in PERTURB
            if p and _has(methods[name], 'top_k'):
                res.append(Row(f'{name}: petcam (all {nch} ch)', name, 'petcam', m_petcam(name, True), True, f'{nch}'))
                res.append(Row(f'{name}: petcam (default ch)', name, 'petcam', m_petcam(name), True, 'default'))
            else: res.append(Row(f'{name}: petcam', name, 'petcam', m_petcam(name), p, f'{nch}' if p else ''))
        for lib, cls, *kw in PEERS.get(name, []):
            setup = (m_torchcam if lib == TC else m_gradcam_lib)(cls, **(kw[0] if kw else {}))
            res.append(Row(f'{name}: {lib} {cls}', name, lib, setup, name in PERTURB, f'{nch}' if name in PERTURB else ''))
    if args.only: res = [r for r in res if r.name.startswith('forward') or any(o in args.only for o in r.method.split(' + '))
                         or r.method in args.only or (r.method == '' and 'reference' in args.only)]
    return res

# ------------------------------------------------------------------------------------------------------------ timing
def sync(device):
    if device.startswith('cuda'): torch.cuda.synchronize()

def timed(f, x, device):
    sync(device); t = time.perf_counter(); f(x); sync(device)
    return time.perf_counter() - t

def batch(n, size, device): return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(1)).to(device)

def run_speed(args, model, rs):
    "Per row: (images/s, ratio to the forward pass, speed-up over the faster peer for petcam rows), interleaved rounds."
    fns = {r.name: r.setup(model, args) for r in rs}
    x, xp, small = batch(args.bs, args.size, args.device), batch(args.perturb_bs, args.size, args.device), batch(1, 64, args.device)
    n = {r.name: args.perturb_bs if r.perturb else args.bs for r in rs}
    for r in rs:                                            # warm-up (and one-time preparation)
        t = time.perf_counter(); fns[r.name](small if r.perturb else x)
        if args.verbose: print(f"  warm-up {r.name}: {time.perf_counter() - t:.1f}s", file=sys.stderr, flush=True)
    times = {r.name: [] for r in rs}
    fwd = 'forward (eager fp32)'
    for k in range(args.reps):
        order = [r for r in rs if not r.perturb or k < args.perturb_reps]
        random.Random(k).shuffle(order)
        for r in order:
            times[r.name].append(timed(fns[r.name], xp if r.perturb else x, args.device))
            if args.verbose or r.perturb:   # perturbation rows take minutes: always say where the run is
                print(f"  round {k} {r.name}: {times[r.name][-1]:.2f}s", file=sys.stderr, flush=True)
    per_img = {k: [t / n[k] for t in ts] for k, ts in times.items()}
    def ratio(a, b): return statistics.median(x / y for x, y in zip(per_img[a], per_img[b]))   # rounds the two share
    res = {}
    for r in rs:
        vs = ''
        peers = [o.name for o in rs if o.method == r.method and o.impl not in ('', 'petcam')]
        if r.impl == 'petcam' and peers: vs = min(ratio(p, r.name) for p in peers)
        res[r.name] = (n[r.name] / statistics.median(times[r.name]), ratio(fwd, r.name), vs)
    return res

# ------------------------------------------------------------------------------------------------------------ memory
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

def _trim():
    try: ctypes.CDLL('libc.so.6').malloc_trim(0)
    except Exception: pass

def mem_row(args, r):
    "(MiB first call, MiB prepared call) of row `r` in this (fresh) process; perturbation rows: the prepared call only."
    model = make_model(args.arch, args.classes, args.device)
    x = batch(args.perturb_bs if r.perturb else args.bs, args.size, args.device)
    f = r.setup(model, args)
    _trim()
    if r.perturb:
        f(batch(1, 64, args.device)); _trim()
        return '', round(_peak(f, x, args.device))
    first = round(_peak(f, x, args.device)); _trim()
    return first, round(_peak(f, x, args.device))

def mem_server(args):
    "Peak memory of each row named on stdin, each in a process forked from this clean one (imports done, nothing run)."
    rs = {r.name: r for r in rows(args)}
    for name in json.loads(sys.stdin.read()):
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rd)
            try: out = mem_row(args, rs[name])
            except Exception as e: out = ('error', f'{type(e).__name__}: {e}'[:200])
            os.write(wr, json.dumps([name, *out]).encode()); os._exit(0)
        os.close(wr)
        with os.fdopen(rd) as o: msg = o.read()
        os.waitpid(pid, 0)
        print(msg or json.dumps([name, 'crashed', '']), flush=True)

def run_mem(args, rs):
    "{row: (first, prepared)} measured by one fresh `--mem-server` subprocess (CPU: needs /proc/self/clear_refs)."
    if not (args.device.startswith('cuda') or os.path.exists('/proc/self/clear_refs')): return {}
    cmd = [sys.executable, __file__, '--mem-server', '--size', str(args.size), '--bs', str(args.bs), '--arch', args.arch,
           '--classes', str(args.classes), '--device', args.device, '--perturb-bs', str(args.perturb_bs),
           '--perturb-samples', str(args.perturb_samples), '--threads', str(args.threads),
           '--nch', str(next((int(r.channels) for r in rs if r.channels.isdigit()), 0))]
    import subprocess
    p = subprocess.run(cmd, input=json.dumps([r.name for r in rs]), capture_output=True, text=True)
    res = {}
    for line in p.stdout.splitlines():
        try: name, *m = json.loads(line); res[name] = m
        except Exception: pass
    if p.returncode: print("memory server failed:", p.stderr[-2000:], file=sys.stderr)
    return res

# ------------------------------------------------------------------------------------------------------------ report
def table(args, rs, speed, mem)->list:
    lines = ['| method | images/s | x forward | x faster peer | channels | MiB 1st call | MiB prepared |',
             '|---|---:|---:|---:|---:|---:|---:|']
    for r in rs:
        ips, ratio, vs = speed.get(r.name, (float('nan'), float('nan'), ''))
        m = mem.get(r.name) or ('', '')
        if m[0] == 'error': m = ('error', '')
        b = f' (bs {args.perturb_bs})' if r.perturb else ''
        lines.append(f"| {r.name}{b} | {ips:.2f} | {ratio:.2f}x | {f'{vs:.2f}x' if vs != '' else ''} | {r.channels} | {m[0]} | {m[1]} |")
    return lines

def summary(rs, speed, mem)->list:
    "The targets: gradient methods >= 1.0x the forward; Score-CAM and Ablation-CAM >= 3x the faster peer; memory <= the peers'."
    out = []
    grad = [r for r in rs if r.impl == 'petcam' and r.method not in NOT_GRADIENT and r.name in speed]
    if grad:
        slow = [f"{r.method} {speed[r.name][1]:.2f}x" for r in grad if speed[r.name][1] < 1.0]
        out.append(f"- gradient methods at >= 1.0x the eager forward: {len(grad) - len(slow)} of {len(grad)}"
                   + (f"; below: {', '.join(slow)}" if slow else ''))
    for m in ('score_cam', 'ablation_cam'):
        ch = next((o.channels for o in rs if o.method == m and o.impl not in ('', 'petcam') and o.channels.isdigit()), 'their')
        for r in (r for r in rs if r.impl == 'petcam' and r.method == m and r.name in speed):
            out.append(f"- {r.name}: {speed[r.name][2]:.2f}x the faster peer (target 3x; peers score all {ch} channels)")
    def mib(name, i): v = (mem.get(name) or ['', ''])[i]; return v if isinstance(v, (int, float)) else None
    worse = []
    for r in (r for r in rs if r.impl == 'petcam' and r.name in mem):
        peers = [o for o in rs if o.method == r.method and o.impl not in ('', 'petcam')]
        for i in (0, 1):
            ps = [mib(o.name, i) for o in peers if mib(o.name, i) is not None]
            if ps and mib(r.name, i) is not None and mib(r.name, i) > min(ps): worse.append(f"{r.name} ({'first' if i == 0 else 'prepared'}: {mib(r.name, i)} > {min(ps)} MiB)")
    if mem: out.append('- petcam rows using more peak memory than a peer: ' + (', '.join(worse) if worse else 'none'))
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--arch', default='resnet34', help='torchvision model function name, e.g. resnet34, mobilenet_v2')
    p.add_argument('--size', type=int, default=224, help='image size (square)')
    p.add_argument('--bs', type=int, default=16, help='batch size')
    p.add_argument('--reps', type=int, default=5, help='timed rounds (after one warm-up round)')
    p.add_argument('--perturb-bs', type=int, default=1, help='images per call of a perturbation method')
    p.add_argument('--perturb-reps', type=int, default=1, help='timed rounds of the perturbation methods')
    p.add_argument('--perturb-samples', type=int, default=2, help='noise samples of SS-CAM and IS-CAM (petcam and torchcam alike)')
    p.add_argument('--threads', type=int, default=0, help="torch CPU threads (default: torch's choice)")
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--classes', type=int, default=2, help='number of classes of the head')
    p.add_argument('--only', nargs='*', help="only these methods (registry names, e.g. grad_cam score_cam; 'reference'); "
                                             "their peers and the forward pass come with them")
    p.add_argument('--no-mem', action='store_true', help='skip the peak-memory measurements')
    p.add_argument('--mem-only', action='store_true', help='only the peak memory, no timings')
    p.add_argument('--no-save', action='store_true', help='print only; do not write bench/results/cam_speed_<arch>.md')
    p.add_argument('--name', help="the results file's name, bench/results/NAME.md (default: cam_speed_<arch>)")
    p.add_argument('--verbose', action='store_true', help='print each timing to stderr as it is taken')
    p.add_argument('--mem-server', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--nch', type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    _quiet()
    if args.threads: torch.set_num_threads(args.threads)
    if args.device.startswith('cuda') and not torch.cuda.is_available(): p.error('--device cuda: no CUDA device available')
    if args.mem_server: return mem_server(args)
    rs = rows(args)
    head = (f"CAM speed: {args.arch} body + GAP/Linear head ({args.classes} classes), random weights, {args.size} px, batch "
            f"{args.bs} (perturbation methods: {args.perturb_bs} image(s), {args.perturb_reps} round(s), {args.perturb_samples} "
            f"noise samples for SS-CAM/IS-CAM), device {args.device}, {torch.get_num_threads()} threads, torch {torch.__version__}; "
            f"median of {args.reps} interleaved rounds; load average before: {' '.join(f'{l:.1f}' for l in os.getloadavg())}")
    print(head, flush=True)
    t0 = time.time()
    speed = {} if args.mem_only else run_speed(args, make_model(args.arch, args.classes, args.device), rs)
    mem = {} if args.no_mem else run_mem(args, rs)
    lines = [head, ''] + table(args, rs, speed, mem) + [''] + summary(rs, speed, mem)
    lines.append(f"\n{time.time() - t0:.0f}s; load average after: {' '.join(f'{l:.1f}' for l in os.getloadavg())}")
    print('\n'.join(lines[2:]))
    if not args.no_save: write_result(args.name or f'cam_speed_{args.arch}', lines)

if __name__ == '__main__': main()
