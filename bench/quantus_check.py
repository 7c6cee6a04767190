"""Every metric petcam shares with Quantus 0.6.0, computed by both on the same model, photos and maps.

For each metric: petcam's value (its defaults, which follow the paper) beside Quantus's (its defaults), and, where
they differ, both again set up to compute the same thing, so that a difference of definition is told apart from
a difference of code. Each row gives the mean over the photos, the largest difference on one photo, and "agrees"
or the reason it does not. The learner is the breeds page's 37-breed MobileNetV2 (`pets_learner(labels='breed', epochs=4)`, cached);
the photos are held-out ones with trimaps, at 192 px (a multiple of both 32 and 3, so that Quantus's channel-value
steps can cover whole pixels); the maps are CAM's (signed) and Grad-CAM's (>= 0), upsampled to the input.
Writes bench/results/quantus_check.md.

    python bench/quantus_check.py                 # 8 photos, cam and grad_cam, ~15 min on 2 cores
    python bench/quantus_check.py --n 4 --regions 20
"""
import argparse, warnings
warnings.filterwarnings('ignore')
import numpy as np, torch
from petcam.all import *
from petcam.compare import _compare_batches
from petcam.faithfulness import _input_maps, _ranks
import quantus
from skimage.metrics import structural_similarity
from _results import write_result
from _learners import bench_learner

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--labels', default='breed', choices=['breed', 'species'], help="the learner's labels")
p.add_argument('--n', type=int, default=8, help='held-out photos with trimaps')
p.add_argument('--size', type=int, default=192, help='input size (a multiple of 96 lets steps cover whole pixels)')
p.add_argument('--methods', nargs='*', default=['cam', 'grad_cam'])
p.add_argument('--samples', type=int, default=8, help='noisy copies per photo (robustness)')
p.add_argument('--regions', type=int, default=100, help='regions of Region Perturbation')
p.add_argument('--only', nargs='*', default=['localisation', 'complexity', 'randomisation', 'robustness', 'faithfulness'],
               choices=['localisation', 'complexity', 'randomisation', 'robustness', 'faithfulness'], help='categories to check')
a = p.parse_args()

learn, files, _ = bench_learner(a.labels)
files = files[:a.n]
(x,), masks, (t,) = _compare_batches(learn, files, a.n, a.size)
model, B, K = learn.model.eval(), len(x), len(learn.dls.vocab)
H = W = a.size; N = H * W
pet = torch.stack([pet_mask(m) for m in masks])
X, Y, S = x.numpy().astype(np.float32), t.numpy(), pet[:, None].numpy().astype(np.uint8)
rows, failed = [], []

def explainer(method, scale=False):
    "A Quantus explain_func: petcam's maps of `targets`, upsampled to the input (min-max scaled with `scale`)."
    def f(model, inputs, targets, **kwargs):
        xx, tt = torch.as_tensor(np.asarray(inputs)), torch.as_tensor(np.asarray(targets)).long()
        m = _input_maps(get_method(method)(model, xx, target=tt).maps[torch.arange(len(xx)), tt], xx.shape[-2:])
        return (scale_maps(m) if scale else m)[:, None].numpy()
    return f

def q(metric, **kw):
    "Quantus's per-image scores of `metric` on the photos, seeded before the call (Quantus draws from NumPy's RNG)."
    np.random.seed(0); torch.manual_seed(0)
    call = dict(model=model, x_batch=X, y_batch=Y, channel_first=True, device='cpu', batch_size=B)
    try: return np.asarray(metric(**{**call, **kw}), dtype=float)
    except Exception as e:                            # a bug or an assertion of 0.6.0's: the row says which
        failed.append(f'{type(e).__name__}: {e}'); print('Quantus failed:', failed[-1])
        return np.full(B, np.nan)

def row(metric, call, method, mine, theirs, why=None, tol=1e-4):
    "One line of the table: the means, the largest difference on one photo, and the verdict."
    mine, theirs = np.asarray(mine, dtype=float).reshape(B, -1), np.asarray(theirs, dtype=float).reshape(B, -1)
    if not np.isfinite(theirs).any() and failed:
        rows.append(dict(metric=metric, call=call, method=method, petcam=np.nanmean(mine), quantus=np.nan, diff=np.nan,
                         verdict=f'Quantus 0.6.0 raised {failed[-1]}')); print(rows[-1]); return
    both, gaps = np.isfinite(mine) & np.isfinite(theirs), (np.isfinite(mine) != np.isfinite(theirs)).sum()
    diff = np.abs(mine - theirs)[both].max() if both.any() else np.nan
    ok = gaps == 0 and diff <= tol * max(1., np.nanmax(np.abs(theirs)))
    verdict = 'agrees' if ok else f'differs: {why}' if why else 'DIFFERS (unexplained)'
    if gaps: verdict += f'; {gaps} values NaN on one side only (means over the photos where both are finite)'
    rows.append(dict(metric=metric, call=call, method=method, petcam=mine[both].mean(), quantus=theirs[both].mean(),
                     diff=diff, verdict=verdict))
    print(rows[-1])

def noise_func(xp):
    "A Quantus perturb_func that hands out petcam's noisy copies (B, n, C, H, W), one sample per call."
    calls = [0]
    def f(arr, indices=None, **kwargs):
        out = xp[:, calls[0] % xp.shape[1]].reshape(arr.shape).numpy(); calls[0] += 1
        return out
    return f

def order_map(places, descending):
    "A (B, 3, H, W) map whose channel values sort, in Quantus's order, as whole pixels in petcam's order `places` (B, N)."
    v = 3 * (N - places if descending else places)
    return torch.stack([v - c if descending else v + c for c in range(3)], 1).view(B, 3, H, W).float().numpy()

def check_localisation(method, m, A, ex, exs):
    "Localisation: the maps against the trimaps, no model."
    loc, lk = localization_scores(m, pet), localization_scores(m, pet, k=1000)
    row('Relevance Mass Accuracy (energy)', 'RelevanceMassAccuracy()', method, loc.energy, q(quantus.RelevanceMassAccuracy(), a_batch=A, s_batch=S),
        'Quantus sums the signed map; the paper (and petcam) positive relevance only')
    row('Relevance Mass Accuracy (energy)', 'RelevanceMassAccuracy() on the map clipped at 0', method, loc.energy,
        q(quantus.RelevanceMassAccuracy(), a_batch=np.maximum(A, 0), s_batch=S))
    row('Relevance Mass Accuracy (energy)', 'AttributionLocalisation(abs=False, positive_attributions=True)', method, loc.energy,
        q(quantus.AttributionLocalisation(abs=False, positive_attributions=True), a_batch=A, s_batch=S))
    row('Relevance Rank Accuracy', 'RelevanceRankAccuracy()', method, loc.rank_acc, q(quantus.RelevanceRankAccuracy(), a_batch=A, s_batch=S),
        'ties in the map broken differently (petcam: raster order; Quantus: NumPy argsort)')
    row('Top-K Intersection', 'TopKIntersection(k=1000)', method, lk.top_k, q(quantus.TopKIntersection(k=1000), a_batch=A, s_batch=S),
        'ties in the map broken differently (petcam: raster order; Quantus: NumPy argsort)')
    row('Pointing game', 'PointingGame()', method, loc.pointing, q(quantus.PointingGame(), a_batch=A, s_batch=S),
        'Quantus counts a hit if any pixel tied at the maximum is on the pet, petcam the first')
    row('ROC-AUC', 'AUC()', method, loc.auc, q(quantus.AUC(), a_batch=A, s_batch=S))

def check_complexity(method, m, A, ex, exs):
    "Complexity: the maps alone (Effective Complexity asks the model in petcam)."
    row('Sparseness', 'Sparseness()', method, sparseness(m), q(quantus.Sparseness(), a_batch=A), tol=1e-3)
    row('Complexity', 'Complexity()', method, complexity(m), q(quantus.Complexity(), a_batch=A), tol=1e-3)
    row('Effective Complexity', 'EffectiveComplexity() / H*W', method, effective_complexity(learn, x, m, t),
        q(quantus.EffectiveComplexity(), a_batch=A) / N,
        "definition: Quantus counts map values above 1e-5 of the batch's largest, without the model; the paper (and "
        "petcam) the top pixels the model needs to keep its loss within eps")

def check_randomisation(method, m, A, ex, exs):
    "Randomisation: the maps of another class, and of a randomised model."
    rl = random_logit(learn, method, x, t)
    row('Random Logit', f'RandomLogit(num_classes={K})', method, rl,
        q(quantus.RandomLogit(num_classes=K), a_batch=A, explain_func=ex, explain_func_kwargs={}),
        "Quantus's SSIM compares the maps flattened into vectors, petcam's as images (the paper's); and the other class is drawn differently")
    np.random.seed(42)
    other = torch.tensor([np.delete(np.arange(K), y)[i] for y, i in zip(Y, np.random.randint(0, K - 1, B))])
    ssim2d = lambda a, b, batched=True, **kw: [structural_similarity(u.reshape(H, W), v.reshape(H, W), data_range=1.) for u, v in zip(a, b)]
    row('Random Logit', f'RandomLogit(num_classes={K}, normalise=False, similarity_func=2-d SSIM) on min-max scaled maps', method,
        random_logit(learn, method, x, t, other=other),
        q(quantus.RandomLogit(num_classes=K, normalise=False, similarity_func=ssim2d), a_batch=scale_maps(m)[:, None].numpy(),
          explain_func=exs, explain_func_kwargs={}), tol=1e-6)
    try:
        mprt = q(quantus.MPRT(skip_layers=True, return_last_correlation=True), a_batch=scale_maps(m)[:, None].numpy(),
                 explain_func=exs, explain_func_kwargs={})
    except Exception as e: mprt = np.full(B, np.nan); print('MPRT failed:', e)
    row('Model Parameter Randomisation (sanity)', 'MPRT(skip_layers=True, return_last_correlation=True)', method,
        sanity_check(learn, method, x, t, per_image=True).iloc[-1].values, mprt,
        'randomisation: Quantus resets every module with reset_parameters (BatchNorm to the identity), petcam redraws '
        'each weight from its tensor\'s mean and std; Quantus reports the signed Spearman of |map|, petcam |Spearman| of the map')

def check_robustness(method, m, A, ex, exs):
    "Robustness: the same noisy copies on both sides, then Quantus's own noise."
    xp, n = perturbed_inputs(x, a.samples), a.samples
    sens = sensitivity(learn, method, x, t, n_samples=n)
    for col, cls in (('max_sens', quantus.MaxSensitivity), ('avg_sens', quantus.AvgSensitivity)):
        row(cls.__name__, f'{cls.__name__}(nr_samples={n}) with its own noise', method, sens[col],
            q(cls(nr_samples=n), explain_func=ex, explain_func_kwargs={}), 'sampling: each draws its own uniform noise')
        row(cls.__name__, f'{cls.__name__}(nr_samples={n}, perturb_func=petcam\'s copies)', method, sens[col],
            q(cls(nr_samples=n, perturb_func=noise_func(xp)), explain_func=ex, explain_func_kwargs={}))
    row('Local Lipschitz Estimate', f'LocalLipschitzEstimate(nr_samples={n})', method, sens.lipschitz,
        q(quantus.LocalLipschitzEstimate(nr_samples=n), explain_func=ex, explain_func_kwargs={}),
        'neighbourhood: Quantus draws unbounded Gaussian noise (std 0.1), the paper (and petcam) samples the eps-ball; '
        "and Quantus scales the maps by the batch's largest value")
    row('Local Lipschitz Estimate', f'LocalLipschitzEstimate(nr_samples={n}, perturb_func=petcam\'s copies, per-image normalisation)',
        method, sens.lipschitz, q(quantus.LocalLipschitzEstimate(nr_samples=n, perturb_func=noise_func(xp),
                                  normalise_func_kwargs=dict(normalise_axes=(1, 2, 3))), explain_func=ex, explain_func_kwargs={}))

def check_faithfulness(method, m, A, ex, exs):
    "Faithfulness: the model on changed photos."
    fc = faithfulness_correlation(learn, x, m, t)
    row('Faithfulness Correlation', 'FaithfulnessCorrelation(return_aggregate=False)', method, fc,
        q(quantus.FaithfulnessCorrelation(return_aggregate=False), a_batch=A),
        'subsets: Quantus 224 channel values set to black and the logit, petcam 5% of the pixels set to the mean colour '
        'and the probability')
    picks = []
    def zero_pixels(arr, indices, **kwargs):
        px = indices % N; picks.append(torch.as_tensor(px))
        out = arr.copy().reshape(len(arr), 3, N)
        out[np.arange(len(arr))[:, None, None], np.arange(3)[None, :, None], px[:, None, :]] = 0.
        return out.reshape(arr.shape)
    k = round(0.05 * N)
    qfc = q(quantus.FaithfulnessCorrelation(nr_runs=32, subset_size=k, perturb_func=zero_pixels, return_aggregate=False),
            a_batch=A, softmax=False)
    row('Faithfulness Correlation', f'FaithfulnessCorrelation(nr_runs=32, subset_size={k}, softmax=False, perturb_func=whole pixels to 0)',
        method, faithfulness_correlation(learn, x, m, t, logits=True, picks=torch.stack(picks, 1)), qfc)
    steps, fis = 12, 3 * N // 12
    fr, pf = pixel_curves(learn, x, m, t, steps, 'black', logits=True)
    qpf = q(quantus.PixelFlipping(features_in_step=fis), a_batch=order_map(_ranks(m, (H, W)), True), softmax=False)
    row('Pixel-Flipping', f'PixelFlipping(features_in_step={fis}, softmax=False): the curve, step by step', method, pf[:, 1:], qpf,
        tol=1e-4)
    row('Pixel-Flipping', f'PixelFlipping(features_in_step={fis}) on the map: area under the curve', method,
        pixel_flipping(learn, x, m, t, steps), np.trapezoid(q(quantus.PixelFlipping(features_in_step=fis), a_batch=A), axis=1),
        'summary: petcam integrates over the fraction of pixels in [0, 1] from the unchanged image, Quantus sums the '
        'curve with unit spacing (np.trapz, removed in NumPy 2.4, which breaks get_auc_score); and Quantus orders channel values')
    def restore(arr, indices, **kwargs):
        "What Monotonicity means to do: put the image's own values back at `indices` (0.6.0 puts the baseline back)."
        out = arr.copy(); out[np.arange(len(arr))[:, None], indices] = X.reshape(len(arr), -1)[np.arange(len(arr))[:, None], indices]
        return out
    row('Monotonicity', f'Monotonicity(features_in_step={fis})', method, monotonicity(learn, x, m, t, steps),
        q(quantus.Monotonicity(features_in_step=fis), a_batch=A),
        "Quantus 0.6.0's bug: it fills the image with the baseline, then 'restores' each step from that image, so the "
        "input never changes and every image scores 1; also its baseline is black (petcam: the mean colour)")
    row('Monotonicity', f'Monotonicity(features_in_step={fis}, softmax=False, perturb_func=restore the image) in petcam\'s order, black',
        method, monotonicity(learn, x, m, t, steps, baseline='black', logits=True),
        q(quantus.Monotonicity(features_in_step=fis, perturb_func=restore), a_batch=order_map(_ranks(-m, (H, W)), False), softmax=False))
    L = a.regions
    row('Region Perturbation', f'RegionPerturbation(regions_evaluation={L}): AOPC', method, region_perturbation(learn, x, m, t),
        q(quantus.RegionPerturbation(regions_evaluation=L), a_batch=A).sum(1) / (L + 1),
        'baseline: the paper (and petcam) uniform noise, Quantus black; petcam evaluates 11 of the 101 points by default')
    row('Region Perturbation', f'RegionPerturbation(regions_evaluation={L}): AOPC, petcam black at every region', method,
        region_perturbation(learn, x, m, t, regions=L, steps=L, baseline='black'),
        q(quantus.RegionPerturbation(regions_evaluation=L), a_batch=A).sum(1) / (L + 1), 'ties among region sums', tol=1e-4)

checks = dict(localisation=check_localisation, complexity=check_complexity, randomisation=check_randomisation,
              robustness=check_robustness, faithfulness=check_faithfulness)
for method in a.methods:
    m = _input_maps(get_method(method)(learn, x, target=t).maps[torch.arange(B), t], (H, W))
    A = m[:, None].numpy()
    ex, exs = explainer(method), explainer(method, scale=True)
    for k in a.only: checks[k](method, m, A, ex, exs)

fmt = lambda v: '' if v != v else f'{v:.4f}' if abs(v) >= 1e-4 or v == 0 else f'{v:.1e}'
lines = [f"{learn.arch} CAM learner on {a.labels} ({K} classes); {B} held-out photos with trimaps at {a.size} px; "
         f"quantus {quantus.__version__}. petcam and Quantus columns are means over the photos; 'max diff' is the "
         "largest difference on one photo (for curves, at one step). Where petcam's defaults (the paper's) differ from "
         "Quantus's, the next row sets both alike.", '',
         '| metric | Quantus call | method | petcam | Quantus | max diff | verdict |', '| --- | --- | --- | ---: | ---: | ---: | --- |']
lines += [f"| {r['metric']} | `{r['call']}` | {r['method']} | {fmt(r['petcam'])} | {fmt(r['quantus'])} | {fmt(r['diff'])} | {r['verdict']} |"
          for r in rows]
write_result('quantus_check', lines)
