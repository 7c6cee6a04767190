"""How fast `petcam_cam` writes pictures, against how fast `learn.cams` explains the same images.

All in one process, on the same trained model, images and batch size, alternating in each round:
- `learn.cams` on the files: explaining only (read, resize, the network, the maps), the 1.00x reference;
- `explain_files`, the engine of `petcam_cam`: read each file, explain the batch, write one overlay PNG per image
  (`cam_image`: arrays, no matplotlib figure) and cams.csv, into a temporary folder;
- the same with `--grid` (pages of 5 x 5, drawn with matplotlib);
- for reference, the way before: one matplotlib figure per image (`show_cam` on a 4 x 4 inch `Figure`, saved with
  `bbox_inches='tight'`), on the first `--mpl` images.
Images/s are medians over the rounds; ratios are medians of the per-round ratios, so a busy machine slows all alike.
Writes the table to bench/results/render_speed.md (first line: date, machine, command).

    python bench/render_speed.py --model petcam_model            # a model from petcam_train, 343 sample images
    python bench/render_speed.py --model DIR --images FOLDER --n 200 --reps 3
"""
import argparse, os, sys, time, platform, tempfile, shlex, json, statistics, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from fastai.vision.all import *
from petcam.all import *
from matplotlib.figure import Figure   # after the star imports: fastcore.xml's `Figure` comes with them
from petcam.cli import explain_files
from _results import write_result

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default='petcam_model', help='a petcam model directory (petcam_train --out)')
p.add_argument('--images', default=None, help='a folder of images, or a JSON list of files; default: $PETCAM_DATA')
p.add_argument('--n', type=int, default=343, help='number of images (the first n, sorted)')
p.add_argument('--bs', type=int, default=16)
p.add_argument('--reps', type=int, default=2, help='rounds')
p.add_argument('--mpl', type=int, default=48, help='images for the one-figure-per-image reference (0: skip it)')
p.add_argument('--threads', type=int, default=None, help='torch threads; default: torch\'s')
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)

if a.images and a.images.endswith('.json'): files = L(json.loads(Path(a.images).read_text())).map(Path)
else: files = image_files(a.images)
files = files.sorted()[:a.n]
learn = load_cam_model(a.model, bs=a.bs)
learn.cams(files[:a.bs], progress=False)   # warm up: the body's fast copy is made once

def mpl_files(learn, files, out):
    "The way before: one matplotlib figure per image."
    for i, (imgs, r) in enumerate(learn.iter_cams([read_image(f) for f in files], progress=False)):
        maps, titles = pick_maps(r, learn.dls.vocab)
        for j, (img, m, t) in enumerate(zip(imgs, maps, titles)):
            ax = Figure(figsize=(4, 4)).subplots()
            save_fig(show_cam(img, m, ax=ax, title=t).figure, out/f'{i}_{j}.png')

def timed(f):
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter(); f(Path(d)); return time.perf_counter() - t

runs = {
    '`learn.cams`: explaining only': (len(files), lambda d: learn.cams(files, bs=a.bs, progress=False)),
    '`petcam_cam`: one overlay PNG per image': (len(files), lambda d: explain_files(learn, files, d, bs=a.bs, progress=False)),
    '`petcam_cam --grid`: pages of 5 x 5': (len(files), lambda d: explain_files(learn, files, d, grid=True, bs=a.bs, progress=False)),
}
if a.mpl: runs['before: one matplotlib figure per image'] = (min(a.mpl, len(files)), lambda d: mpl_files(learn, files[:a.mpl], d))
speed = {k: [] for k in runs}
for r in range(a.reps):
    for k, (n, f) in runs.items():
        speed[k].append(n / timed(f))
        print(f"round {r + 1}: {k}: {speed[k][-1]:.1f} images/s", file=sys.stderr)

ref = '`learn.cams`: explaining only'
rows = [f"| {k} | {runs[k][0]} | {statistics.median(v):.1f} | "
        f"{statistics.median(s / c for s, c in zip(v, speed[ref])):.2f}x |" for k, v in speed.items()]
table = '\n'.join([f"{learn.arch} at {read_cam_meta(a.model)['size'][0]} px, {len(learn.dls.vocab)} classes; batch {a.bs}; "
                   f"median of {a.reps} round(s).", '',
                   '| what | images | images/s | vs `learn.cams` |', '| --- | ---: | ---: | ---: |', *rows])
print(table)
write_result('render_speed', table.splitlines())
