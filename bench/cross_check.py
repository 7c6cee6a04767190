"""Does petcam compute the same maps as torchcam and pytorch-grad-cam? Every method both sides implement, side by side.

On one trained MobileNetV2 CAM learner and the same real Oxford-IIIT Pet images, each petcam method in the registry
(`petcam.methods.cam_methods`) is compared with each peer implementation of the same
method: torchcam 0.5 and pytorch-grad-cam 1.5 (benchmark-only extras). Both explain the class the model predicts, at the
body's output. Each map is normalised the peer's way before comparing:

- torchcam: each map min-max scaled to [0, 1] on the layer's grid (its ReLU, where it has one, is part of the method);
- pytorch-grad-cam: ReLU, min-max scaled to [0, 1], resized (bilinear) to the input size.

Printed per pair: the Pearson correlation of the two maps (mean and minimum over the images), the largest absolute
difference, whether it agrees (deterministic methods: correlation >= 0.99) and a note where the definitions differ.
Where a peer computes the same faithfulness metric (torchcam's `ClassificationMetric`: Average Drop and Increase in
Confidence; pytorch-grad-cam's ROAD), it is compared with `petcam.faithfulness`'s on the same maps.

    python bench/cross_check.py                          # trains the learner (~1 min), 16 images (4 for perturbation methods)
    python bench/cross_check.py --model /path/model_dir  # a saved petcam model directory instead
    python bench/cross_check.py --only grad_cam score_cam --n 8

Needs $PETCAM_DATA (the images) and, to train, $PETCAM_WEIGHTS (MobileNetV2 ImageNet weights). The table also goes to
`bench/results/cross_check.md`.
"""
from __future__ import annotations
import argparse, copy, datetime, inspect, os, platform, random, shlex, sys, time, warnings, logging
from pathlib import Path
from typing import NamedTuple
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from _results import write_result

# ---------------------------------------------------------------------------------------------------------------- learner
def trained_learner(seed=42):
    "The dev learner of the brief: MobileNetV2 CAM learner, seeded head-only `fit_one_cycle(2, 1e-2)` on the frozen body."
    from fastai.vision.all import set_seed
    from petcam.data import pets_dls
    from petcam.model import cam_learner
    set_seed(seed, reproducible=True)
    learn = cam_learner(pets_dls(size=224, bs=32, num_workers=0), train_bn=False)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 1e-2)
    acc = learn.validate()[1]
    return learn, list(learn.dls.valid_ds.items), acc

def sample_files(n, seed=0):
    "`n` image files of the sample, chosen at random with `seed` (for a saved model, whose held-out split is unknown)."
    from petcam.data import image_files
    fns = sorted(image_files(None))
    return random.Random(seed).sample(fns, min(n, len(fns)))

def load_batch(learn, files, size=224):
    "The images as the learner's validation pipeline shows them: read upright, centre-cropped, resized, normalised."
    from fastai.vision.all import Resize, Normalize, image2tensor, first, risinstance
    from petcam.data import read_image
    rs = Resize(size)
    x = torch.stack([image2tensor(rs(read_image(f), split_idx=1)) for f in files]).float() / 255
    norm = first(learn.dls.after_batch.fs.filter(risinstance(Normalize)))
    return (x - norm.mean.cpu()) / norm.std.cpu()

# ------------------------------------------------------------------------------------------------------------ peers
class Peer(NamedTuple):
    lib: str                 # 'torchcam' or 'pytorch-grad-cam'
    cls: str                 # class name in torchcam.methods or pytorch_grad_cam
    kw: dict = {}            # options of the peer class
    pk: dict = {}            # options of the petcam method (the same settings)
    stochastic: bool = False # maps from random noise: reported, not held to the 0.99 bar
    note: str = ''           # where the definitions differ, and which follows the paper

TC, PGC = 'torchcam', 'pytorch-grad-cam'
# Perturbation methods score every channel: petcam's top-k bound is lifted so all score the same (1280) channels.
ALL = {'top_k': None, 'progress': False}
PEERS = {
    'cam': [Peer(TC, 'CAM')],
    'grad_cam': [Peer(TC, 'GradCAM'), Peer(PGC, 'GradCAM')],
    'grad_cam_pp': [
        Peer(TC, 'GradCAMpp', note="torchcam's alpha is never divided by its denominator (`alpha[mask].div_` divides a copy): "
                                   "its weights are sum(G^2 relu(G)), not the paper's; pytorch-grad-cam and petcam follow the paper"),
        Peer(PGC, 'GradCAMPlusPlus', note="petcam also keeps alpha in [0, 1/2] where the denominator is not positive (the paper's "
                                          "alpha on non-negative activations); pytorch-grad-cam does not")],
    'smooth_grad_cam_pp': [
        Peer(TC, 'SmoothGradCAMpp', dict(num_samples=4, std=0.3), dict(n_samples=4, std=0.065), True,
             "noise of std 0.3 (torchcam) vs 0.065 x each image's range (petcam, ~0.3 here); both use the mean of G^2 as alpha's "
             "numerator, as Grad-CAM++ does (the paper writes the mean of G); torchcam weighs by the last sample's gradient"),
        Peer(TC, 'SmoothGradCAMpp', dict(num_samples=1, std=1e-6), dict(n_samples=1, std=0.0), False,
             "noise ~0 on both sides: Grad-CAM++ (torchcam's, with its alpha as in the row above)")],
    'xgrad_cam': [Peer(TC, 'XGradCAM'), Peer(PGC, 'XGradCAM')],
    'hires_cam': [Peer(PGC, 'HiResCAM')],
    'grad_cam_elementwise': [Peer(PGC, 'GradCAMElementWise')],
    'layer_cam': [Peer(TC, 'LayerCAM'), Peer(PGC, 'LayerCAM')],
    'score_cam': [
        Peer(TC, 'ScoreCAM', dict(batch_size=32), ALL, False,
             "peers weigh channels by a softmax over channels of the masked images' logits; the paper (and its authors' code) and "
             "petcam by the class's softmax probability; torchcam also scales each map before upsampling it"),
        Peer(PGC, 'ScoreCAM', dict(batch_size=32), ALL, False,
             "channel softmax of logits as torchcam (paper: class probability); upsamples with align_corners=True")],
    'ss_cam': [Peer(TC, 'SSCAM', dict(batch_size=32, num_samples=4, std=2.0), dict(ALL, n_samples=4, std=2.0), True,
                    "channel softmax of logits (torchcam) vs class probability (petcam, as Score-CAM's paper)")],
    'is_cam': [Peer(TC, 'ISCAM', dict(batch_size=32, num_samples=4), dict(ALL, n_samples=4), False,
                    "torchcam scales the masks by cumulative sums (1, 3, 6, 10)/N, beyond 1, and softmaxes logits over channels; "
                    "the paper and petcam average the class probability over masks scaled by i/N, i = 1..N")],
    'ablation_cam': [Peer(PGC, 'AblationCAM', dict(batch_size=32), {'progress': False}, False,
                          "both weigh by (y - y_k) / y, the paper's")],
    'eigen_cam': [Peer(PGC, 'EigenCAM', note="pytorch-grad-cam keeps the SVD's arbitrary sign before its ReLU; petcam signs the "
                                           "component to correlate with the channel sum (the paper leaves the sign open)")],
    'eigen_grad_cam': [Peer(PGC, 'EigenGradCAM', note="same sign convention as eigen_cam")],
    'full_grad': [Peer(PGC, 'FullGrad', note="both scale each channel's |bias x gradient| to [0, 1] as the paper's formula "
                                           "(psi inside the sum over channels); the authors' code scales each layer as a whole")],
}

def _quiet():
    warnings.filterwarnings('ignore')
    logging.getLogger('torchcam').setLevel(logging.ERROR)

def peer_maps(peer, model, x, targets):
    "The peer's maps (B, h, w) of class `targets` (one per image), normalised its way, on a copy of `model`."
    model = copy.deepcopy(model).eval().requires_grad_(True)   # peers hook and backprop through all of it
    t = targets.tolist()
    if peer.lib == TC:
        import torchcam.methods as tm
        kw = dict(fc_layer=model[1][-1]) if peer.cls == 'CAM' else {}
        with tm.__dict__[peer.cls](model, target_layer=model[0], **kw, **peer.kw) as ext:
            with torch.set_grad_enabled(peer.cls not in ('CAM', 'ScoreCAM', 'SSCAM', 'ISCAM')): scores = model(x)
            return ext(class_idx=t, scores=scores)[0].detach().float()
    import pytorch_grad_cam as pg
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    kw = dict(peer.kw)
    bs = kw.pop('batch_size', None)
    cam = pg.__dict__[peer.cls](model=model, target_layers=[] if peer.cls == 'FullGrad' else [model[0]], **kw)
    if bs: cam.batch_size = bs
    with cam: return torch.from_numpy(cam(input_tensor=x, targets=[ClassifierOutputTarget(i) for i in t])).float()

def minmax(m, eps=1e-8):
    "Each map (B, h, w) scaled to [0, 1]."
    m = m - m.flatten(1).min(1)[0][:, None, None]
    return m / (m.flatten(1).max(1)[0][:, None, None] + eps)

def petcam_maps(method, learn, x, targets, peer):
    "petcam's maps (B, h, w) of `targets`, normalised the way `peer` normalises its own."
    fn = __import__('petcam.methods', fromlist=['get_method']).get_method(method)
    ps = inspect.signature(fn).parameters
    has_kw = any(p.kind is p.VAR_KEYWORD for p in ps.values())
    missing = [k for k in peer.pk if k not in ps and not has_kw]
    if missing: raise TypeError(f"{method} has no option {', '.join(missing)}: update PEERS in {__file__}")
    res = fn(learn, x, target=targets, **peer.pk)
    m = res.maps[torch.arange(len(x)), targets].float()
    if peer.lib == TC: return minmax(m)
    m = minmax(m.relu())
    if m.shape[-2:] != x.shape[-2:]: m = F.interpolate(m[:, None], size=x.shape[-2:], mode='bilinear', align_corners=False)[:, 0]
    return m

def pearson(a, b):
    "Pearson correlation of each pair of maps (B,)."
    a, b = a.flatten(1).double(), b.flatten(1).double()
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-30)

PERTURB = {'score_cam', 'ss_cam', 'is_cam', 'ablation_cam'}

def compare(method, peer, learn, x, targets):
    p = petcam_maps(method, learn, x, targets, peer)
    q = peer_maps(peer, learn.model, x, targets)
    if p.shape != q.shape: q = F.interpolate(q[:, None], size=p.shape[-2:], mode='bilinear', align_corners=False)[:, 0]
    r = pearson(p, q)
    return r.mean().item(), r.min().item(), (p - q).abs().max().item()

def registered():
    from petcam.methods import cam_methods
    return cam_methods

# ----------------------------------------------------------------------------------------------------------- metrics
def _tc_gradcam(model):
    import torchcam.methods as tm
    model = copy.deepcopy(model).eval().requires_grad_(True)
    return tm.GradCAM(model, target_layer=model[0])

def tc_confidence(learn, x, targets):
    "torchcam's ClassificationMetric (Average Drop, Increase in Confidence) of its Grad-CAM, and petcam's on the same maps."
    from functools import partial
    from torchcam.metrics import ClassificationMetric
    import petcam.faithfulness as ev
    with _tc_gradcam(learn.model) as ext:
        metric = ClassificationMetric(ext, partial(torch.softmax, dim=-1))
        metric.update(x, class_idx=targets.tolist())
        tc = metric.summary()
        maps = ext(class_idx=targets.tolist(), scores=ext.model(x))[0].detach()
    drop, incr = ev.confidence_change(learn, x, maps, targets)
    return [('Average Drop (lower is better)', tc['avg_drop'], drop.mean().item()),
            ('Increase in Confidence (higher is better)', tc['conf_increase'], incr.mean().item())]

def tc_deletion(learn, x, targets):
    "torchcam's DeletionInsertionMetric (zeros baseline, 20 steps) of its Grad-CAM, and petcam's on the same maps and settings."
    from functools import partial
    from torchcam.metrics import DeletionInsertionMetric
    import petcam.faithfulness as ev
    with _tc_gradcam(learn.model) as ext:
        metric = DeletionInsertionMetric(ext, partial(torch.softmax, dim=-1), steps=20)
        metric.update(x, class_idx=targets.tolist())
        tc = metric.summary()
        maps = ext(class_idx=targets.tolist(), scores=ext.model(x))[0].detach()
    d, i = ev.deletion_insertion(learn, x, maps, targets, steps=20, baselines=('zeros', 'zeros'))
    return [('Deletion AUC, zeros baseline, 20 steps (lower is better)', tc['deletion_auc'], d.mean().item()),
            ('Insertion AUC, from zeros, 20 steps (higher is better)', tc['insertion_auc'], i.mean().item())]

def pgc_road(learn, x, targets, noise):
    "pytorch-grad-cam's ROADCombined (logits, its 9 percentiles) of its Grad-CAM maps, and petcam's `road_score` on the same maps."
    import pytorch_grad_cam as pg
    from pytorch_grad_cam.metrics import road
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    import petcam.faithfulness as ev
    model = copy.deepcopy(learn.model).eval().requires_grad_(True)
    tg = [ClassifierOutputTarget(int(t)) for t in targets]
    with pg.GradCAM(model=model, target_layers=[model[0]]) as cam: maps = cam(input_tensor=x, targets=tg)
    defaults = road.NoisyLinearImputer.__init__.__defaults__
    road.NoisyLinearImputer.__init__.__defaults__ = (noise,) + defaults[1:]
    try:
        torch.manual_seed(0)
        peer = road.ROADCombined()(x, maps, tg, model)
    finally: road.NoisyLinearImputer.__init__.__defaults__ = defaults
    ours = ev.road_score(learn, x, torch.from_numpy(maps), targets, noise=noise, logits=True)
    what = 'noise 0.01, each its own draw' if noise else 'no noise: the imputation alone'
    return [(f'ROAD combined, logits ({what}; higher is better)', float(np.mean(peer)), ours.mean().item(),
             float(np.abs(np.asarray(peer) - ours.numpy()).max()))]

def metric_rows(learn, x, targets):
    "Peers' faithfulness metrics beside petcam.faithfulness's, on the same maps (torchcam's or pytorch-grad-cam's Grad-CAM)."
    try: import petcam.faithfulness as ev
    except Exception as e: return [('all', '', f'TODO: petcam.faithfulness does not import ({type(e).__name__}: {e})', '', '', '')]
    checks = [('torchcam ClassificationMetric', 'confidence_change', tc_confidence),
              ('torchcam DeletionInsertionMetric', 'deletion_insertion', tc_deletion),
              ('pytorch-grad-cam ROADCombined', 'road_score', partial_road(0.01)),
              ('pytorch-grad-cam ROADCombined', 'road_score', partial_road(0.0))]
    rows = []
    for peer, fn, check in checks:
        if not hasattr(ev, fn): rows.append((peer, f'TODO: petcam.faithfulness has no {fn} yet', '', '', '', '')); continue
        try:
            for name, theirs, ours, *per in check(learn, x, targets):
                rows.append((name, peer, f'{ours:.4f}', f'{theirs:.4f}', f'{abs(ours - theirs):.4f}', f'{per[0]:.4f}' if per else ''))
        except Exception as e: rows.append((peer, 'error', f'{type(e).__name__}: {str(e).splitlines()[0][:150]}', '', '', ''))
    return rows

def partial_road(noise): return lambda learn, x, targets: pgc_road(learn, x, targets, noise)

# ------------------------------------------------------------------------------------------------------------ report
def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', help='a saved petcam model directory (default: train the MobileNetV2 learner, ~1 min)')
    p.add_argument('--n', type=int, default=16, help='images compared (held-out ones when the learner is trained here)')
    p.add_argument('--n-perturb', type=int, default=4, help='images for the perturbation methods (each needs 1280 forward passes)')
    p.add_argument('--only', nargs='*', help='only these methods (registry names, e.g. grad_cam score_cam)')
    p.add_argument('--n-metrics', type=int, default=4, help="images for the metrics (pytorch-grad-cam's ROAD solves 18 sparse systems per image)")
    p.add_argument('--no-metrics', action='store_true', help='skip the faithfulness metrics')
    p.add_argument('--threads', type=int, default=0, help="torch CPU threads (default: torch's choice)")
    p.add_argument('--no-save', action='store_true', help='print only; do not write bench/results/cross_check.md')
    args = p.parse_args()
    _quiet()
    if args.threads: torch.set_num_threads(args.threads)
    t0 = time.time()
    if args.model:
        from petcam.files import load_cam_model
        learn, files, acc = load_cam_model(args.model), sample_files(args.n), None
    else: learn, files, acc = trained_learner()
    learn.model.eval()
    files = files[:args.n]
    x = load_batch(learn, files)
    with torch.no_grad(): logits = learn.model(x)
    targets = logits.argmax(1)
    src = f"model {args.model}" if args.model else f"MobileNetV2 CAM learner trained here (held-out accuracy {acc:.3f})"
    print(f"{src}; {len(files)} images ({min(args.n_perturb, len(files))} for perturbation methods), "
          f"explaining the predicted class at the body's output ({time.time() - t0:.0f}s to set up)", flush=True)

    methods = registered()
    lines = [f"{src}; {len(files)} real Oxford-IIIT Pet images ({min(args.n_perturb, len(files))} for perturbation methods); "
             "each map normalised the peer's way (torchcam: min-max on the grid; pytorch-grad-cam: ReLU, min-max, bilinear to "
             "the input size); Pearson r per image.", '',
             '| method | peer | r mean | r min | max abs diff | agrees | note |', '|---|---|---:|---:|---:|---|---|']
    print('\n'.join(lines[2:]), flush=True)
    for name, peers in PEERS.items():
        if args.only and name not in args.only: continue
        for peer in peers:
            label = f"{peer.lib} {peer.cls}" + (f" ({', '.join(f'{k}={v}' for k, v in peer.kw.items() if k != 'batch_size')})" if peer.kw else '')
            if name not in methods:
                row = f"| {name} | {label} | | | | not in petcam yet | |"
            else:
                n = args.n_perturb if name in PERTURB else len(x)
                try:
                    rm, rmin, d = compare(name, peer, learn, x[:n], targets[:n])
                    ok = 'stochastic' if peer.stochastic else ('yes' if rmin >= 0.99 else 'NO')
                    row = f"| {name} | {label} | {rm:.4f} | {rmin:.4f} | {d:.3f} | {ok} | {peer.note} |"
                except Exception as e:
                    row = f"| {name} | {label} | | | | error | {type(e).__name__}: {str(e).splitlines()[0][:150]} |"
            lines.append(row); print(row, flush=True)
    if not args.no_metrics:
        m = min(args.n_metrics, len(x))
        mrows = metric_rows(learn, x[:m], targets[:m])
        if mrows:
            mlines = ['', f'Faithfulness metrics where a peer computes the same, on the peer\'s Grad-CAM maps of {m} images:', '',
                      '| metric | peer | petcam | peer | difference | largest per-image difference |', '|---|---|---:|---:|---:|---:|']
            mlines += [f"| {' | '.join(map(str, r))} |" for r in mrows]
            lines += mlines; print('\n'.join(mlines), flush=True)
    print(f"\n{time.time() - t0:.0f}s in all")
    if not args.no_save: write_result('cross_check', lines)

if __name__ == '__main__': main()
