"""Which method should I trust? `compare_methods` on held-out photos: every registered method, every category.

Trains the MobileNetV2 CAM learner of the quality test (`$PETCAM_WEIGHTS`, seeded, ~3 min on 2 cores), or with
`--labels breed` loads the 37-breed learner of the breeds page (`pets_learner(labels='breed', epochs=4)`: four
head epochs on the frozen body, trained once and cached), or loads a saved model directory. Then runs
`petcam.compare.compare_methods` on the first `--n` held-out photos that have a trimap: every category
(localization, faithfulness, robustness, complexity, randomization, speed), next to the centre prior and a random
map. The noise-averaged perturbation methods run with fewer channels and samples (`top_k=32, n_samples=4`) to stay
affordable. Writes bench/results/compare.md (compare_breeds.md with `--labels breed`; first line: date, machine,
command), the rank picture beside it (`plot_ranks`: compare_ranks.png, compare_breeds_ranks.png), and under the
table which columns separate the methods: for each column, the share of pairs of methods whose per-photo
differences are consistent (|paired t| > 2, on the same photos), and whether the best method beats each baseline.

    python bench/compare.py                       # cat/dog, 24 held-out photos, every method
    python bench/compare.py --labels breed        # the 37 breeds
    python bench/compare.py --n 8 --methods cam grad_cam score_cam
"""
import argparse, itertools, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd
from petcam.all import *
from matplotlib.figure import Figure
from _results import write_result, RESULTS
from _learners import bench_learner

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None, help='a petcam model directory; default: train the learner here (held-out split known)')
p.add_argument('--labels', default='species', choices=['species', 'breed'], help='cat/dog, or the 37 breeds')
p.add_argument('--n', type=int, default=24, help='held-out photos with trimaps')
p.add_argument('--methods', nargs='*', help='registry names; default: all')
a = p.parse_args()
name = 'compare' if a.labels == 'species' else 'compare_breeds'

learn, files, split = bench_learner(a.labels, a.model)
slow_kw = dict(ss_cam=dict(top_k=32, n_samples=4), is_cam=dict(top_k=32, n_samples=4))
t0 = time.perf_counter()
per = compare_methods(learn, files=files, n=a.n, methods=a.methods, method_kwargs=slow_kw, per_image=True)
secs = time.perf_counter() - t0
per.to_csv(RESULTS/f'{name}_per_image.csv', index=False)
cols = [o for o in compare_columns if o in per.columns]
df = per.groupby('method', sort=False)[cols].mean()
df['passes_sanity'] = df.sanity < sanity_threshold
print(df.round(3).to_string())
fig = plot_ranks(df); fig.savefig(RESULTS/f'{name}_ranks.png', dpi=100, bbox_inches='tight')

def separation(per, col, base=('centre prior', 'random')):
    "How well `col` tells the methods apart: consistent pairs, spread of the means, and the best method against the baselines."
    wide = per.pivot_table(index='file', columns='method', values=col, sort=False)
    ms = [o for o in wide.columns if o not in base]
    def t(u, v):
        d = (wide[u] - wide[v]).dropna()
        sd = d.std()
        return np.nan if len(d) < 3 else 0. if sd == 0 and d.mean() == 0 else np.inf if sd == 0 else d.mean() / (sd / np.sqrt(len(d)))
    pairs = [abs(t(u, v)) for u, v in itertools.combinations(ms, 2)]
    means = wide[ms].mean()
    up = compare_columns[col][0] == 'higher'
    best = means.idxmax() if up else means.idxmin()
    vs = {b: t(best, b) * (1 if up else -1) for b in base if b in wide}
    return dict(column=col, better=compare_columns[col][0], spread=means.max() - means.min(), photos=int(wide[best].notna().sum()),
                separated=np.mean([o > 2 for o in pairs if o == o]), best=best,
                **{f'beats {b}': 'yes' if v > 2 else 'no' if v < -2 else 'tie' for b, v in vs.items()})

sep = pd.DataFrame([separation(per, c) for c in cols if c != 'img_per_s'])
print(sep.round(3).to_string())

fmt = lambda v: '' if v != v else f'{v:.3f}' if abs(v) < 100 else f'{v:.0f}'
cats = compare_categories
groups = [('Localization and randomisation', cats['localization'] + cats['randomization'] + ['passes sanity']),
          ('Faithfulness', cats['faithfulness']), ('Robustness, complexity and speed', cats['robustness'] + cats['complexity'] + cats['speed'])]
def cell(n, r, c):
    if c != 'passes sanity': return fmt(r[c])
    return 'yes' if r.passes_sanity else 'no' if n not in ('centre prior', 'random') else ''
def table(title, gcols):
    "One group of columns (a table of all of them is too wide to read)"
    gcols = [c for c in gcols if c in cols or c == 'passes sanity']
    return [f'### {title}', '', '| method | ' + ' | '.join(gcols) + ' |',
            '| --- |' + ''.join(' :---: |' if c == 'passes sanity' else ' ---: |' for c in gcols),
            *[f"| {n} | " + ' | '.join(cell(n, r, c) for c in gcols) + ' |' for n, r in df.iterrows()], '']
srows = [f"| {r.column} | {r.better} | {r.spread:.3f} | {r.separated:.0%} | {r.best} | {r['beats centre prior']} | {r['beats random']} | {r.photos} |"
         for _, r in sep.iterrows()]
head = f"{learn.arch} CAM learner at {learn.dls.test_dl(files[:1]).one_batch()[0].shape[-1]} px, {len(learn.dls.vocab)} classes"
notes = [f"{head}; {min(a.n, len(files))} {split}; {len(df) - 2} methods in {secs / 60:.1f} min. `compare_columns` says "
         "which way each column is better (lower: avg_drop, deletion, pixel_flipping, the robustness columns, complexity, "
         "eff_complexity, sanity, random_logit). Robustness and sanity use the first 8 photos. A method passes the sanity "
         "check when the mean |Spearman| of its maps with those of the model randomised from the head down is below 0.5.", '',
         *[o for t, g in groups for o in table(t, g)],
         '### Which columns separate the methods', '',
         "For each column: the spread of the methods' means (baselines aside); the share of pairs of methods whose "
         "difference is consistent over the photos (|paired t| > 2); the best method, and whether it beats each "
         "baseline on the same photos (paired t > 2: yes, < -2: no, else tie).", '',
         '| column | better | spread | pairs separated | best method | beats centre prior | beats random | photos |',
         '| --- | --- | ---: | ---: | --- | :---: | :---: | ---: |', *srows]
write_result(name, notes)
