"""Does petcam compute the same maps as pytorch-grad-cam on vision transformers? ViT and Swin from timm, side by side.

pytorch-grad-cam explains a transformer through a `reshape_transform` the user writes for the layer: its
`vit_reshape_transform` (drop the class token, 14 x 14 grid) and `swinT_reshape_transform` (7 x 7 grid). petcam finds
the layer's grid itself (`petcam.core.layer_grid`). Both explain the same random-weight CAM models (timm's
`vit_small_patch16_224` and `swin_tiny_patch4_window7_224` with a GAP + Linear head: no pretrained weights can be
downloaded here) on the same real Oxford-IIIT Pet photos at 224 pixels, at the layers pytorch-grad-cam's tutorial
advises: the last block's `norm1` in the ViT, the last block's `norm2` in Swin (the one layer of a timm 1.x Swin block
that still outputs (B, 49, C) tokens, the shape `swinT_reshape_transform` expects). Each explains the class the model
predicts; petcam's maps are normalised the peer's way (ReLU, min-max, bilinear to the input size).

Printed per method: Pearson r of the two maps (mean and minimum over images), the largest absolute difference, whether
it agrees (r >= 0.99 on every image) and where a definition differs (and which follows the paper).

    python bench/cross_check_vit.py                 # 8 images, 2 for the perturbation methods (one forward per channel)
    python bench/cross_check_vit.py --only grad_cam eigen_cam --n 4

Needs $PETCAM_DATA (the images), timm and grad-cam (`pip install -e ".[vit,bench]"`). The table also goes to
`bench/results/cross_check_vit.md`.
"""
from __future__ import annotations
import argparse, copy, time, warnings
from functools import partial
from typing import NamedTuple
import numpy as np
import torch
import torch.nn.functional as F

from _results import write_result
from cross_check import pearson, minmax, sample_files

class Model(NamedTuple):
    arch: str       # timm name
    layer: str      # petcam's dotted name of the layer explained
    peer_layer: str # the same layer, in pytorch-grad-cam's terms (an attribute path from the model)
    transform: str  # pytorch-grad-cam's reshape transform
    only: tuple = () # only these methods

VIT, SWIN = 'vit_small_patch16_224', 'swin_tiny_patch4_window7_224'
MODELS = [Model(VIT, '0.model.blocks.11.norm1', 'model[0].model.blocks[-1].norm1', 'vit_reshape_transform'),
          Model(SWIN, '0.model.layers.3.blocks.1.norm2', 'model[0].model.layers[-1].blocks[-1].norm2',
                'swinT_reshape_transform'),
          # GELU's outputs, nearly non-negative: Grad-CAM++'s setting (alpha is derived for non-negative activations)
          Model(VIT, '0.model.blocks.11.mlp.act', 'model[0].model.blocks[-1].mlp.act', 'vit_reshape_transform',
                ('grad_cam', 'grad_cam_pp')),
          # the layer pytorch-grad-cam's README names for Swin: in timm 1.x a Swin block's norm1 outputs (B, 7, 7, C)
          Model(SWIN, '0.model.layers.3.blocks.1.norm1', 'model[0].model.layers[-1].blocks[-1].norm1',
                'swinT_reshape_transform', ('grad_cam',))]

class Pair(NamedTuple):
    cls: str                 # pytorch-grad-cam class
    kw: dict = {}            # options of the petcam method
    note: str = ''           # where the definitions differ, and which follows the paper

ALL = dict(top_k=None, progress=False)   # perturbation methods: every channel on both sides
PAIRS = {
    'grad_cam': Pair('GradCAM'),
    'grad_cam_pp': Pair('GradCAMPlusPlus', note="pytorch-grad-cam adds 1e-6 to alpha's denominator (the paper "
                        "does not): with gradients of ~1e-5 to 1e-4, as here, G^2 is ~1e-9 and its alpha is "
                        "G^2 / 1e-6; petcam follows the paper (and keeps alpha in [0, 1/2] where the denominator is "
                        "not positive)"),
    'xgrad_cam': Pair('XGradCAM'),
    'layer_cam': Pair('LayerCAM'),
    'hires_cam': Pair('HiResCAM'),
    'grad_cam_elementwise': Pair('GradCAMElementWise'),
    'eigen_cam': Pair('EigenCAM', note="pytorch-grad-cam keeps the SVD's arbitrary sign before its ReLU; petcam signs "
                      "the component to correlate with the channel sum (the paper leaves the sign open)"),
    'score_cam': Pair('ScoreCAM', ALL, "pytorch-grad-cam weighs channels by a softmax over channels of the masked "
                      "images' logits, and upsamples with align_corners=True; the paper (and petcam) by the class's "
                      "softmax probability"),
    'ablation_cam': Pair('AblationCAM', dict(progress=False),
                         "pytorch-grad-cam's AblationLayerVit sets channel k of every token, the class token "
                         "included, and to the layer's minimum - 1e7 when it has negative values (LayerNorm outputs "
                         "do); the paper and petcam set the channel of the grid (the patch tokens) to 0"),
}
PERTURB = {'score_cam', 'ablation_cam'}

def load_images(files, stats, size=224):
    "The photos read upright, centre-cropped and resized as petcam's test pipeline does, normalised with `stats`."
    from fastai.vision.all import Resize, image2tensor
    from petcam.data import read_image
    rs = Resize(size)
    x = torch.stack([image2tensor(rs(read_image(f), split_idx=1)) for f in files]).float() / 255
    return (x - torch.tensor(stats[0])[:, None, None]) / torch.tensor(stats[1])[:, None, None]

def peer_maps(pair, m, model, x, targets):
    "pytorch-grad-cam's maps (B, H, W) of `targets` at `m.peer_layer`, through its reshape transform, on a model copy."
    import pytorch_grad_cam as pg
    from pytorch_grad_cam.utils import reshape_transforms
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from pytorch_grad_cam.ablation_layer import AblationLayerVit
    model = copy.deepcopy(model).eval().requires_grad_(True)
    layer = eval(m.peer_layer, {'model': model})
    kw = dict(ablation_layer=AblationLayerVit()) if pair.cls == 'AblationCAM' else {}
    transform = getattr(reshape_transforms, m.transform)
    cam = pg.__dict__[pair.cls](model=model, target_layers=[layer], reshape_transform=transform, **kw)
    if pair.cls in ('ScoreCAM', 'AblationCAM'): cam.batch_size = 32
    with cam: maps = cam(input_tensor=x, targets=[ClassifierOutputTarget(int(t)) for t in targets])
    return torch.from_numpy(maps).float()

def _as_peer(maps, x, targets=None):
    "The maps (of `targets`) as pytorch-grad-cam scales its own: ReLU, min-max, bilinear to the input size, min-max."
    m = maps if targets is None else maps[torch.arange(len(x)), targets]
    up = F.interpolate(minmax(m.float().relu())[:, None], size=x.shape[-2:], mode='bilinear', align_corners=False)
    return minmax(up[:, 0])

def petcam_maps(method, pair, m, model, x, targets):
    "petcam's maps of `targets` at `m.layer`, normalised pytorch-grad-cam's way, and the grid they are on."
    from petcam.methods import get_method
    res = get_method(method)(model, x, target=targets, layer=m.layer, **pair.kw)
    return _as_peer(res.maps, x, targets), 'x'.join(map(str, res.maps.shape[-2:]))

def pgc_weighted_score_cam(model, x, targets, layer):
    """petcam's Score-CAM engine (`channel_maps`: petcam's grid, channels and maps) with pytorch-grad-cam's weights:
    the class's logit of each masked image (masks upsampled with align_corners=True), softmaxed over the channels."""
    from petcam.perturb import channel_maps
    from petcam.core import model_logits
    def score(f, pairs):
        b, k = pairs.T
        up = F.interpolate(f.acts[0][b, k][:, None], size=x.shape[-2:], mode='bilinear', align_corners=True)
        lo, hi = up.amin((2, 3), keepdim=True), up.amax((2, 3), keepdim=True)
        up = (up - lo) / (hi - lo + 1e-8)
        z = torch.cat([model_logits(f.model, f.x[b[i:i + 32]] * up[i:i + 32]) for i in range(0, len(b), 32)])
        s = z.gather(1, f.targets.classes[b][:, None])[:, 0]
        w = torch.full(f.acts[0].shape[:2], -torch.inf).index_put_((b, k), s).softmax(1)   # over each image's channels
        return w[b, k][:, None]
    return _as_peer(channel_maps(model, x, score, targets, layer, top_k=None).maps, x, targets)

def pgc_alpha_grad_cam_pp(model, x, targets, layer, eps=1e-6):
    "petcam's gradient engine (`grad_maps`: petcam's grid and gradients) with pytorch-grad-cam's Grad-CAM++ weights."
    from petcam.core import explain
    from petcam.gradient import grad_maps
    def weigh(a, g):   # pytorch-grad-cam's alpha: no clamp, `eps` in the denominator
        alpha = g ** 2 / (2 * g ** 2 + a.sum((2, 3), keepdim=True) * g ** 3 + eps)
        return (g.relu() * torch.where(g != 0, alpha, 0)).sum((2, 3))
    return _as_peer(explain(model, x, lambda f: grad_maps(f, weigh)[0], targets, [layer]).maps, x, targets)

def eigen_up_to_sign(model, x, layer, theirs):
    "petcam's Eigen-CAM projection at `layer`, each image's sign chosen as pytorch-grad-cam's SVD happened to."
    from petcam.core import layer_forward, eval_mode
    from petcam.gradient import _principal
    with eval_mode(model), torch.inference_mode(): (a,), _ = layer_forward(model, x, [layer], grad=False)
    p = _principal(a)
    both = torch.stack([_as_peer(p, x), _as_peer(-p, x)])                      # (2, B, H, W)
    pick = torch.stack([pearson(o, theirs) for o in both]).argmax(0)          # (B,)
    return both[pick, torch.arange(len(x))], (pick == 1).sum().item()

def row(name, label, p, q, grid, note):
    r = pearson(p, q)
    ok = 'yes' if r.min() >= 0.99 else 'NO'
    return f"| {name} | {label} | {grid} | {r.mean():.4f} | {r.min():.4f} | {(p - q).abs().max():.3f} | {ok} | {note} |"

def failed_row(name, label, grid, e):
    "A row for a layer where petcam computes maps and pytorch-grad-cam stops."
    return (f"| {name} | {label} | {grid} | | | | peer fails | petcam's maps are computed; pytorch-grad-cam stops with "
            f"{type(e).__name__}: {str(e).splitlines()[0][:120]} (its transform reshapes (B, 49, C) tokens) |")

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--n', type=int, default=8, help='images compared')
    p.add_argument('--n-perturb', type=int, default=2, help='images for Score-CAM, Ablation-CAM (a pass per channel)')
    p.add_argument('--only', nargs='*', help='only these methods (registry names)')
    p.add_argument('--models', nargs='*', help='only these timm names')
    p.add_argument('--no-save', action='store_true', help='print only; do not write bench/results/cross_check_vit.md')
    args = p.parse_args()
    warnings.filterwarnings('ignore')
    from petcam.model import cam_model
    t0, files = time.time(), sample_files(args.n)
    lines = [f"Random-weight CAM models from timm (GAP + bias-free Linear head, 2 classes, `torch.manual_seed(0)`); "
             f"{len(files)} real Oxford-IIIT Pet photos at 224 px ({min(args.n_perturb, len(files))} for Score-CAM and "
             "Ablation-CAM); the predicted class; petcam's maps normalised pytorch-grad-cam's way (ReLU, min-max, "
             "bilinear to 224 px); Pearson r per image.", '',
             '| method | model, layer (pytorch-grad-cam transform) | grid | r mean | r min | max abs diff | agrees '
             '| note |',
             '|---|---|---|---:|---:|---:|---|---|']
    print('\n'.join(lines), flush=True)
    models = {}
    for m in MODELS:
        if args.models and m.arch not in args.models: continue
        if m.arch not in models:
            torch.manual_seed(0)
            models[m.arch] = cam_model(m.arch, 2, pretrained=False).eval()
        model = models[m.arch]
        cfg = model[0].model.pretrained_cfg
        x = load_images(files, (cfg['mean'], cfg['std']))
        with torch.no_grad(): targets = model(x).argmax(1)
        label = f"{m.arch}, `{m.layer}` ({m.transform})"
        for name, pair in PAIRS.items():
            if (args.only and name not in args.only) or (m.only and name not in m.only): continue
            n = args.n_perturb if name in PERTURB else len(x)
            xs, ts = x[:n], targets[:n]
            try:
                mine, grid = petcam_maps(name, pair, m, model, xs, ts)
                try: theirs = peer_maps(pair, m, model, xs, ts)
                except Exception as e: theirs, out = None, failed_row(name, label, grid, e)
                if theirs is not None: out = row(name, label, mine, theirs, grid, pair.note)
                if theirs is not None and name == 'grad_cam_pp':
                    out += '\n' + row('grad_cam_pp, alpha as pytorch-grad-cam', label,
                                      pgc_alpha_grad_cam_pp(model, xs, ts, m.layer), theirs, grid,
                                      "petcam's gradients and grid with the peer's alpha (unclamped, eps 1e-6): the "
                                      "row above differs by alpha alone")
                    out += '\n' + row('grad_cam_pp vs the peer\'s alpha without its eps', label, mine,
                                      pgc_alpha_grad_cam_pp(model, xs, ts, m.layer, eps=0.), grid,
                                      "petcam's Grad-CAM++ against the peer's formula without the 1e-6: the eps is "
                                      "the departure")
                if theirs is not None and name == 'eigen_cam':
                    same, flipped = eigen_up_to_sign(model, xs, m.layer, theirs)
                    out += '\n' + row('eigen_cam, signed as pytorch-grad-cam', label, same, theirs, grid,
                                      f"petcam's projection with the peer's sign ({flipped} of {len(xs)} images "
                                      "flipped): the row above differs by the sign alone")
                if theirs is not None and name == 'score_cam':
                    out += '\n' + row('score_cam, weighted as pytorch-grad-cam', label,
                                      pgc_weighted_score_cam(model, xs, ts, m.layer), theirs, grid,
                                      "petcam's engine (grid, masks, channels, map) with the peer's weights (channel "
                                      "softmax of logits, align_corners=True masks): the row above differs by the "
                                      "weighting alone")
            except Exception as e:
                out = f"| {name} | {label} | | | | | error | {type(e).__name__}: {str(e).splitlines()[0][:200]} |"
            lines += out.split('\n'); print(out, flush=True)
    print(f"\n{time.time() - t0:.0f}s in all")
    if not args.no_save: write_result('cross_check_vit', lines)

if __name__ == '__main__': main()
