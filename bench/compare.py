"""Which method should I trust? `compare_methods` on held-out photos: every registered method, the full table.

Trains the MobileNetV2 CAM learner of the quality test (`$PETCAM_WEIGHTS`, seeded, ~3 min on 2 cores) or loads a
saved model directory, then runs `petcam.compare.compare_methods` on the first `--n` held-out photos that have a
trimap: localization (pointing, IoU, AUC, energy), faithfulness (Average Drop, Increase in Confidence, deletion,
insertion, ROAD), the sanity check and speed, next to the centre prior and a random map. The noise-averaged
perturbation methods run with fewer channels and samples (`top_k=32, n_samples=4`) to stay affordable.
Writes the table to bench/results/compare.md (first line: date, machine, command).

    python bench/compare.py                       # 24 held-out photos, every method
    python bench/compare.py --n 8 --methods cam grad_cam score_cam
"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from petcam.all import *
from _results import write_result

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None, help='a petcam model directory; default: train the learner here (held-out split known)')
p.add_argument('--n', type=int, default=24, help='held-out photos with trimaps')
p.add_argument('--methods', nargs='*', help='registry names; default: all')
a = p.parse_args()

if a.model:
    learn = load_cam_model(a.model)
    files = [o for o in image_files() if trimap_of(o)]
    split = "sample photos with trimaps (the model's held-out split is unknown)"
else:
    set_seed(42, reproducible=True)
    learn = cam_learner(pets_dls(num_workers=0), train_bn=False)
    with learn.no_bar(), learn.no_logging(): fit_cam(learn)
    files = [o for o in learn.dls.valid_ds.items if trimap_of(o)]
    split = f'held-out photos with trimaps (accuracy {learn.validate()[1]:.4f} on the {len(learn.dls.valid_ds)} held out)'
slow_kw = dict(ss_cam=dict(top_k=32, n_samples=4), is_cam=dict(top_k=32, n_samples=4))
t0 = time.perf_counter()
df = compare_methods(learn, files=files, n=a.n, methods=a.methods, method_kwargs=slow_kw)
secs = time.perf_counter() - t0
print(df.round(3).to_string())

cols = list(compare_columns)
fmt = lambda v: '' if v != v else f'{v:.3f}' if abs(v) < 100 else f'{v:.0f}'
rows = [f"| {name} | " + ' | '.join(fmt(r[c]) for c in cols) + f" | {'yes' if r.passes_sanity else 'no' if name not in ('centre prior', 'random') else ''} |"
        for name, r in df.iterrows()]
notes = [f"{learn.arch} CAM learner at {learn.dls.test_dl(files[:1]).one_batch()[0].shape[-1]} px; {min(a.n, len(files))} {split}; "
         f"{len(df) - 2} methods in {secs / 60:.1f} min. Higher is better for every column but avg_drop, deletion and sanity. "
         "A method passes the sanity check when the mean |Spearman| of its maps with those of the model randomised from "
         "the head down is below 0.5.", '',
         '| method | ' + ' | '.join(cols) + ' | passes sanity |', '| --- |' + ' ---: |' * len(cols) + ' :---: |', *rows]
write_result('compare', notes)
