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
    call: dict = {}          # options of the peer's call (pytorch-grad-cam: aug_smooth, eigen_smooth, alpha, ...)
    layers: str = 'body'     # the explained layers: 'body', or 'fusion' (petcam's `fusion_layers`: the body and a finer layer)
    learner: str = 'species' # 'species' (cat/dog) or 'breeds' (37 classes: `petcam.testing.pets_learner(labels='breed')`)
    targets: str = 'class'   # pytorch-grad-cam's targets: 'class' (its logit), 'rest' (ClassifierOutputReST), 'none' (its argmax)
    peer_fn: callable = None # (peer, model, x, targets) -> normalised maps (N, h, w), instead of `peer_maps`
    ours_fn: callable = None # (method, learn, x, targets, peer) -> normalised maps (N, h, w), instead of `petcam_maps`
    ours: str = ''           # what the petcam side is, when `ours_fn` computes something other than the method

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

# Methods added by issue 20: both peers' FinerCAM, RefineCAM; pytorch-grad-cam's ShapleyCAM, FEM, KPCA-CAM, SESS, Guided
# Backprop (and its Guided Grad-CAM recipe), DeepFeatureFactorization, and its aug_smooth / eigen_smooth options.
SESS_SMALL = dict(num_scales=3)   # 14 patches per 224-px image (1 + 4 + 9) on both sides, instead of 122
PEERS.update({
    'finer_cam': [
        Peer(TC, 'FinerCAM', learner='breeds', note="both: the target's logit minus 0.6 x the mean logit of the 3 closest classes "
             "(the authors' 'aggregate' setting)"),
        Peer(PGC, 'FinerCAM', learner='breeds', targets='none', pk=dict(gamma=1.0), call=dict(alpha=1.0),
             note="pytorch-grad-cam weighs the 3 references by their softmax probabilities (differentiated through), as the "
                  "authors' FinerCAM class; petcam (and torchcam) by their plain mean: both forms are the authors'"),
        Peer(PGC, 'FinerCAM', learner='breeds', targets='none', pk=dict(gamma=1.0, n_refs=1),
             call=dict(alpha=1.0, comparison_categories=[1]),
             note="one reference: both are y_c - y_d"),
        Peer(TC, 'FinerCAM', note="cat/dog: one reference, the other class")],
    'shapley_cam': [
        Peer(PGC, 'ShapleyCAM', targets='rest', note="both explain the ReST utility y_c + log p_c, the paper's"),
        Peer(PGC, 'ShapleyCAM', pk=dict(rest=False), note="the logit, pytorch-grad-cam's default: the Hessian term vanishes "
                                                          "after a piecewise-linear layer, ShapleyCAM is Grad-CAM")],
    'fem': [Peer(PGC, 'FEM', pk=dict(variant='pgc'), note="petcam's variant='pgc': activations weighted by the fraction of "
                                                        "positions above mean + 2 std"),
            Peer(PGC, 'FEM', note="petcam's default follows the paper (binary masks weighted by the channel means); "
                                  "pytorch-grad-cam swaps the roles")],
    'kpca_cam': [Peer(PGC, 'KPCA_CAM', note="same kernel PCA (sigmoid kernel, gamma 1/C); pytorch-grad-cam's sign is "
                                            "scikit-learn's (largest entry positive), petcam's correlates with the channel sum")],
    'refine_cam': [
        Peer(TC, 'RefineCAM', dict(base='GradCAMpp'), layers='fusion',
             note="torchcam's Grad-CAM++ weights are not the paper's (see grad_cam_pp)"),
        Peer(TC, 'RefineCAM', dict(base='LayerCAM'), dict(base='layer_cam'), layers='fusion',
             note="both: one pass for both layers, product on the finer grid"),
        Peer(PGC, 'RefineCAM', dict(base='GradCAMPlusPlus'), layers='fusion',
             note="pytorch-grad-cam runs each layer alone and multiplies at the input's size")],
    'sess': [Peer(PGC, 'SESS', SESS_SMALL, dict(n_scales=3, progress=False),
                  note="3 scales (14 patches) on both sides; petcam scores patches by the base calls' probabilities")],
    'guided_backprop': [
        Peer(PGC, 'GuidedBackpropReLUModel', note="pytorch-grad-cam replaces nn.ReLU only; MobileNetV2 has ReLU6, so its map is "
             "the plain input gradient (next row); petcam applies the rule at ReLU6 too, as the paper at every rectifier"),
        Peer(PGC, 'GuidedBackpropReLUModel', note="petcam's plain input gradient (no guided rule) against the peer's "
             "'guided' one", ours_fn=lambda *a: plain_gradient(*a), ours='the plain input gradient'),
        Peer(PGC, 'GuidedBackpropReLUModel', learner='resnet18', note="a random-weights resnet18 (nn.ReLU): the rule applies "
             "on both sides")],
    'guided_grad_cam': [Peer(PGC, 'GuidedBackpropReLUModel', dict(gradcam=True), learner='resnet18',
                             note="pytorch-grad-cam's recipe (README): guided gradient x its Grad-CAM scaled to [0, 1]; "
                                  "petcam multiplies by the raw Grad-CAM map; random-weights resnet18")],
    'deep_feature_factorization': [
        Peer(PGC, 'DeepFeatureFactorization', note="5 concepts, each map compared; pytorch-grad-cam subtracts each channel's "
             "minimum first (0 after a ReLU, unless a channel is active everywhere); petcam factorises the activations as "
             "they are, as the paper", peer_fn=lambda *a: pgc_dff(*a), ours_fn=lambda *a: petcam_dff(*a))],
    'grad_cam + aug_smooth': [Peer(PGC, 'GradCAM', pk=dict(aug_smooth=True), call=dict(aug_smooth=True),
        note="six runs (flip x contrast 0.9/1/1.1); pytorch-grad-cam scales each run's map to [0, 1] at the input's size "
             "before averaging, petcam averages the maps as they are")],
    'grad_cam + eigen_smooth': [Peer(PGC, 'GradCAM', pk=dict(eigen_smooth=True), call=dict(eigen_smooth=True),
        note="the first principal component of the weighted activations; pytorch-grad-cam keeps the SVD's arbitrary sign, "
             "petcam's correlates with the weighted sum")],
    'score_cam + eigen_smooth': [Peer(PGC, 'ScoreCAM', dict(batch_size=32), dict(ALL, eigen_smooth=True),
        call=dict(eigen_smooth=True), note="Score-CAM's weights differ (see score_cam); sign as for grad_cam + eigen_smooth")],
})

def _quiet():
    warnings.filterwarnings('ignore')
    logging.getLogger('torchcam').setLevel(logging.ERROR)

def _layers(model, peer):
    "The modules `peer` explains in `model`: the body, or petcam's `fusion_layers` (the body and a finer layer)."
    if peer.layers == 'body': return [model[0]]
    from petcam.gradient import fusion_layers
    return [model.get_submodule(n) for n in fusion_layers(model)]

def _peer_label(peer):
    kw = {k: v for k, v in {**peer.kw, **peer.call}.items() if k != 'batch_size'}
    opts = [f'{k}={v}' for k, v in kw.items()] + [{'rest': 'ClassifierOutputReST', 'none': 'targets=None'}.get(peer.targets, '')]
    opts = [o for o in opts if o]
    where = '' if peer.learner == 'species' else f' [{peer.learner}]'
    return f"{peer.lib} {peer.cls}" + (f" ({', '.join(opts)})" if opts else '') + where

def peer_maps(peer, model, x, targets):
    "The peer's maps (B, h, w) of class `targets` (one per image), normalised its way, on a copy of `model`."
    if peer.peer_fn: return peer.peer_fn(peer, model, x, targets)
    model = copy.deepcopy(model).eval().requires_grad_(True)   # peers hook and backprop through all of it
    t, mods = targets.tolist(), _layers(model, peer)
    if peer.lib == TC:
        import torchcam.methods as tm
        kw = dict(peer.kw)
        if 'base' in kw: kw['base_method'] = getattr(tm, kw.pop('base'))
        if peer.cls == 'CAM': kw['fc_layer'] = model[1][-1]
        with tm.__dict__[peer.cls](model, target_layer=mods if len(mods) > 1 else mods[0], **kw) as ext:
            with torch.set_grad_enabled(peer.cls not in ('CAM', 'ScoreCAM', 'SSCAM', 'ISCAM')): scores = model(x)
            return ext(class_idx=t, scores=scores, **peer.call)[0].detach().float()
    import pytorch_grad_cam as pg
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget, ClassifierOutputReST
    kw = dict(peer.kw)
    if peer.cls == 'GuidedBackpropReLUModel': return pgc_guided(model, x, targets, kw.get('gradcam', False))
    bs = kw.pop('batch_size', None)
    if 'base' in kw: kw['base_method'] = getattr(pg, kw.pop('base'))
    cam = pg.__dict__[peer.cls](model=model, target_layers=[] if peer.cls == 'FullGrad' else mods, **kw)
    if bs: cam.batch_size = bs
    tg = None if peer.targets == 'none' else [(ClassifierOutputReST if peer.targets == 'rest' else ClassifierOutputTarget)(i) for i in t]
    out = cam(input_tensor=x, targets=tg, **peer.call)
    if hasattr(cam, '__exit__'): cam.__exit__(None, None, None)
    return torch.from_numpy(out).float()

def pgc_guided(model, x, targets, gradcam=False):
    "pytorch-grad-cam's guided backpropagation, image by image (its API), as max |.| over colours; times its Grad-CAM."
    import pytorch_grad_cam as pg
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    gb = pg.GuidedBackpropReLUModel(copy.deepcopy(model), device=x.device)    # it swaps the copy's ReLUs
    g = torch.stack([torch.from_numpy(gb(x[i:i + 1].clone(), int(t))) for i, t in enumerate(targets)])   # (B, H, W, 3)
    if gradcam:
        with pg.GradCAM(model=model, target_layers=[model[0]]) as cam:
            g = g * torch.from_numpy(cam(input_tensor=x, targets=[ClassifierOutputTarget(int(t)) for t in targets]))[..., None]
    return minmax(g.abs().amax(-1).float())

def plain_gradient(method, learn, x, targets, peer):
    "petcam's plain input gradient (no guided rule), max |.| over colours: what pytorch-grad-cam computes on ReLU6 models."
    from petcam.core import explain, target_grads
    def maps(f): return torch.stack([g.abs().amax(1) for g, in target_grads(f.targets, f.logits, f.acts)], 1)
    return minmax(explain(learn, x, maps, targets, ['input']).maps[torch.arange(len(x)), targets])

N_CONCEPTS = 5

def pgc_dff(peer, model, x, targets):
    "pytorch-grad-cam's DeepFeatureFactorization: each image's concept maps, scaled to [0, 1] at the input's size."
    from pytorch_grad_cam import DeepFeatureFactorization
    model = copy.deepcopy(model).eval()
    _, expl, _ = DeepFeatureFactorization(model=model, target_layer=model[0], computation_on_concepts=model[1][-1])(
        x, n_components=N_CONCEPTS)
    return torch.from_numpy(np.stack(expl)).float().flatten(0, 1)

def petcam_dff(method, learn, x, targets, peer):
    "petcam's deep_feature_factorization: each image's concept maps, scaled to [0, 1] and upsampled to the input's size."
    from petcam.factorization import deep_feature_factorization
    m = minmax(deep_feature_factorization(learn, x, N_CONCEPTS).maps.flatten(0, 1))
    return F.interpolate(m[:, None], size=x.shape[-2:], mode='bilinear', align_corners=False)[:, 0]

def minmax(m, eps=1e-8):
    "Each map (B, h, w) scaled to [0, 1]."
    m = m - m.flatten(1).min(1)[0][:, None, None]
    return m / (m.flatten(1).max(1)[0][:, None, None] + eps)

def petcam_maps(method, learn, x, targets, peer):
    "petcam's maps (B, h, w) of `targets`, normalised the way `peer` normalises its own."
    if peer.ours_fn: return peer.ours_fn(method, learn, x, targets, peer)
    fn = __import__('petcam.methods', fromlist=['get_method']).get_method(method.split(' + ')[0])
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

PERTURB = {'score_cam', 'ss_cam', 'is_cam', 'ablation_cam', 'sess'}

def compare(method, peer, learn, x, targets):
    p = petcam_maps(method, learn, x, targets, peer)
    q = peer_maps(peer, getattr(learn, 'model', learn), x, targets)
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

def other_subject(kind, learn, x, args):
    "(learner or model, images, predicted classes) of the 37-breed learner (its held-out photos) or a random resnet18."
    if kind == 'breeds':
        from petcam.testing import pets_learner
        bl = pets_learner(labels='breed')
        bl.model.eval()
        bx = load_batch(bl, list(bl.dls.valid_ds.items)[:args.n])
        with torch.no_grad(): return bl, bx, bl.model(bx).argmax(1)
    from fastai.vision.all import create_body
    from torchvision.models import resnet18
    from petcam.model import cam_head
    torch.manual_seed(0)
    m = nn.Sequential(create_body(resnet18(), pretrained=False, cut=-2), cam_head(512, 2)).eval()
    with torch.no_grad(): return m, x, m(x).argmax(1)

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
    subjects = {'species': (learn, x, targets)}
    lines = [f"{src}; {len(files)} real Oxford-IIIT Pet images ({min(args.n_perturb, len(files))} for perturbation methods and "
             "SESS); each map normalised the peer's way (torchcam: min-max on the grid; pytorch-grad-cam: ReLU, min-max, bilinear "
             "to the input size); Pearson r per image. Rows marked [breeds] use the 37-breed learner of `petcam.testing."
             "pets_learner(labels='breed')` on its held-out photos; [resnet18] a random-weights resnet18 CAM model (nn.ReLU) on "
             "the same photos.", '',
             '| method | peer | r mean | r min | max abs diff | agrees | note |', '|---|---|---:|---:|---:|---|---|']
    print('\n'.join(lines[2:]), flush=True)
    for name, peers in PEERS.items():
        base = name.split(' + ')[0]
        if args.only and name not in args.only and base not in args.only: continue
        for peer in peers:
            if peer.learner not in subjects: subjects[peer.learner] = other_subject(peer.learner, learn, x, args)
            who, xs, ts = subjects[peer.learner]
            pk = {k: v for k, v in peer.pk.items() if k not in ALL}
            opts = f" ({', '.join(f'{k}={v}' for k, v in pk.items())})" if pk and ' + ' not in name else ''
            label, mname = _peer_label(peer), name + opts
            if peer.ours: mname = f"{name} [petcam: {peer.ours}]"
            if base not in methods and base != 'deep_feature_factorization':
                row = f"| {mname} | {label} | | | | not in petcam yet | |"
            else:
                n = args.n_perturb if base in PERTURB else len(xs)
                try:
                    rm, rmin, d = compare(name, peer, who, xs[:n], ts[:n])
                    ok = 'stochastic' if peer.stochastic else ('yes' if rmin >= 0.99 else 'NO')
                    row = f"| {mname} | {label} | {rm:.4f} | {rmin:.4f} | {d:.3f} | {ok} | {peer.note} |"
                except Exception as e:
                    row = f"| {mname} | {label} | | | | error | {type(e).__name__}: {str(e).splitlines()[0][:150]} |"
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
