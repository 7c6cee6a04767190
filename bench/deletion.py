"""Why does a blind centre prior do so well on deletion? Deletion re-measured with each suspect changed in turn.

Deletion (RISE) removes the pixels a map ranks first and integrates the class probability over the fraction removed;
lower is better. A centred Gaussian that knows nothing of the model can score as well as the maps. For each learner
(cat/dog and the 37 breeds, as in `bench/compare.py`) and the same held-out photos, this script scores a few maps,
the centre prior, a random map and the model's own occlusion map (the drop in probability when each cell of a
7 x 7 grid is set to the mean colour on its own: a ranking right by construction for that kind of removal), with:

- the baseline colour: the mean colour (the table's), black (each image's darkest value), a blur, uniform noise,
  and ROAD's linear imputation (no hole at all: the removed pixels are filled from their neighbours);
- the step size: 10 steps (the table's) against 50;
- the score: the probability (the table's) against the logit;

and prints, per learner, the mean curves, and on how many photos the centre prior beats each map.
Writes bench/results/deletion.md.

    python bench/deletion.py                  # both learners, 24 photos each
    python bench/deletion.py --labels breed --n 8
"""
import argparse, time, warnings
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, torch
from petcam.all import *
from petcam.compare import _compare_batches
from petcam.faithfulness import _input_maps
from _results import write_result
from _learners import bench_learner

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--labels', nargs='*', default=['species', 'breed'], choices=['species', 'breed'])
p.add_argument('--n', type=int, default=24, help='held-out photos with trimaps')
p.add_argument('--methods', nargs='*', default=['cam', 'grad_cam_pp', 'fused_cam', 'score_cam'])
a = p.parse_args()

def occlusion(learn, x, t, grid=7, bs=64):
    "The model's own ranking: the fall of the probability when each cell of a grid x grid goes to the mean colour, alone."
    cells = F.interpolate(torch.eye(grid * grid).view(-1, 1, grid, grid), size=x.shape[-2:], mode='nearest')
    out = [class_scores(learn, (xi[None] * (1 - cells)), ti.repeat(grid * grid), bs) for xi, ti in zip(x, t)]
    return class_scores(learn, x, t, bs)[:, None, None] - torch.stack(out).view(len(x), grid, grid)

def area(c): return torch.trapezoid(c, torch.linspace(0, 1, c.shape[1], dtype=c.dtype), dim=1)

def imputed_curve(learn, x, maps, t, steps, bs):
    "Deletion with ROAD's linear imputation (no noise) instead of a colour: the removed pixels filled from the others."
    rank = _input_maps(maps, x.shape[-2:]).flatten(1).sort(dim=1, descending=True, stable=True).indices.argsort(dim=1)
    N = rank.shape[1]
    counts = [*range(0, N, -(-N // steps)), N]
    cols = []
    for c in counts:
        keep = (rank >= c).view(len(x), 1, *x.shape[-2:])
        cols.append(class_scores(learn, linear_impute(x, keep) if c else x, t, bs))
    return torch.stack(cols, 1)

variants = {'mean colour (table)': dict(baseline='zeros'), 'black': dict(baseline='black'), 'blur': dict(baseline='blur'),
            'uniform noise': dict(baseline='uniform'), '50 steps': dict(baseline='zeros', steps=50),
            'logit': dict(baseline='zeros', logits=True)}
lines, t0 = [], time.perf_counter()
for labels in a.labels:
    learn, files, split = bench_learner(labels)
    files = files[:a.n]
    xs, _, ts = _compare_batches(learn, files, 8)
    x, t = torch.cat(xs), torch.cat(ts)
    maps = {m: torch.cat([get_method(m)(learn, xb, target=tb, **(dict(top_k=32) if m == 'score_cam' else {})).maps[torch.arange(len(xb)), tb]
                          for xb, tb in zip(xs, ts)]) for m in a.methods}
    maps['occlusion (the model\'s own)'] = occlusion(learn, x, t)
    maps['centre prior'] = centre_map(*x.shape[-2:]).expand(len(x), -1, -1)
    maps['random'] = torch.rand(len(x), 7, 7, generator=torch.Generator().manual_seed(0))
    res, curves = {}, {}
    for name, m in maps.items():
        r = {}
        for v, kw in variants.items():
            _, c = pixel_curves(learn, x, m, t, **{'steps': 10, **kw})
            r[v] = area(c)
            if v == 'mean colour (table)': curves[name] = c.mean(0)
        r['imputed (ROAD, no noise)'] = area(imputed_curve(learn, x, m, t, 10, 64))
        res[name] = r
        print(labels, name, {k: round(float(v.mean()), 3) for k, v in r.items()})
    cols = list(res['centre prior'])
    table = pd.DataFrame({n: {c: float(r[c].mean()) for c in cols} for n, r in res.items()}).T
    wins = pd.DataFrame({n: {c: int((res['centre prior'][c] < r[c]).sum()) for c in cols} for n, r in res.items()}).T
    p0 = class_scores(learn, x, t).mean().item()
    lines += [f"### {learn.arch} CAM learner, {len(learn.dls.vocab)} classes: {len(files)} {split}", '',
              f"Mean probability of the predicted class on the unchanged photos: {p0:.3f}. Deletion area (lower is better) "
              "with the baseline, step count or score changed; each cell is the mean over the photos, and in brackets "
              "on how many photos the centre prior's area is lower than the map's.", '',
              '| map | ' + ' | '.join(cols) + ' |', '| --- |' + ' ---: |' * len(cols)]
    lines += [f"| {n} | " + ' | '.join(f"{table.loc[n, c]:.3f}" + ('' if n == 'centre prior' else f" ({wins.loc[n, c]}/{len(x)})")
                                       for c in cols) + ' |' for n in table.index]
    fr = [f'{f:.1f}' for f in np.linspace(0, 1, 11)]
    lines += ['', 'Mean deletion curve (mean colour, probability) at each fraction of pixels removed:', '',
              '| map | ' + ' | '.join(fr) + ' |', '| --- |' + ' ---: |' * len(fr)]
    lines += [f"| {n} | " + ' | '.join(f'{v:.3f}' for v in c.tolist()) + ' |' for n, c in curves.items()]
    lines.append('')
write_result('deletion', [f"{len(a.labels)} learner(s), {a.n} held-out photos each, {(time.perf_counter() - t0) / 60:.0f} min.", ''] + lines)
