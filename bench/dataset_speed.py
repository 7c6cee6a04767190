"""Explaining a dataset: the row core, the Ray engine and the overlays, against `learn.cams`, and their memory.

Measured side by side in one process (the reference alternating with each contender, round by round):
- `stages`: what one image costs, stage by stage, on one thread: the numbers behind the images per hour per GPU of
  the docs' multi-machine page;
- `rows`: `write_cam_rows` (the row core: read, explain, statistics, object energy, fp16 maps, Parquet parts)
  against `learn.cams` on the same photos: the target is at least 0.9x;
- `ray`: `ray_cam_rows` (the same rows on Ray Data, one actor on this machine's cores) against `write_cam_rows`,
  with where the extra time goes: starting Ray, starting the actor (imports, loading the model), Ray's own work;
- `overlays`: the `petcam_cam` command writing one overlay PNG per image, timed for its whole process (importing
  fastai and loading the model included), against `learn.cams`' images/s in this process: the target is at least
  0.75x on 1,000 photos;
- `memory`: the peak resident memory of `petcam_cam --format parquet` (this process and, with `--engine ray`, every
  Ray process) on 1,000 and on 10,000 images (the photos repeated through hard links): it must not grow.
Each part writes its table to bench/results/dataset_<part>.md (first line: date, machine, command).

    python bench/dataset_speed.py --model DIR                       # all parts; DIR from petcam_train or save_cam_model
    python bench/dataset_speed.py --model DIR --parts rows,ray --n 343
    python bench/dataset_speed.py --model DIR --parts memory --mem-model SMALL_DIR --mem-n 1000,10000
"""
import argparse, os, sys, time, tempfile, statistics, subprocess, threading, shutil, warnings, json
from pathlib import Path
warnings.filterwarnings('ignore')
import psutil
from fastai.vision.all import *
from petcam.all import *
from petcam.dataset import write_cam_rows, read_cam_rows
from _results import write_result

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default='petcam_model', help='a petcam model directory')
p.add_argument('--images', default=None, help='a folder of images; default: $PETCAM_DATA')
p.add_argument('--parts', default='stages,rows,ray,overlays,memory', help='which measurements, comma-separated')
p.add_argument('--n', type=int, default=343, help='photos for rows and ray (the first n, sorted)')
p.add_argument('--n-overlays', type=int, default=1000, help='photos for overlays (the sample repeated through hard links)')
p.add_argument('--bs', type=int, default=16)
p.add_argument('--reps', type=int, default=2, help='rounds')
p.add_argument('--mem-model', default=None, help='model for the memory runs (a small one is faster); default: --model')
p.add_argument('--mem-n', default='1000,10000', help='image counts of the memory runs')
a = p.parse_args()
parts = a.parts.split(',')
bin_dir = Path(sys.executable).parent
photos = image_files(a.images).sorted()
learn = load_cam_model(a.model, bs=a.bs)
meta = read_cam_meta(a.model)
dev = first(learn.model.parameters()).device
where = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'CPU'
about = (f"{learn.arch} at {meta['size'][0]} px, {len(learn.dls.vocab)} classes; batch {a.bs}; {where}, {os.cpu_count()} cores, "
         f"{torch.get_num_threads()} torch threads")
learn.cams(photos[:a.bs], progress=False)   # warm up: the body's fast copy is made once
tmp = Path(tempfile.mkdtemp(prefix='petcam_bench_'))

def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()

def timed(f):
    sync(); t = time.perf_counter(); f(); sync(); return time.perf_counter() - t

def fresh(name):
    d = tmp/name; shutil.rmtree(d, ignore_errors=True); return d

def linked(n):
    "A folder of `n` images: the photos again and again, as hard links."
    d = tmp/f'linked_{n}'
    if not d.exists():
        d.mkdir()
        for i in range(n): os.link(photos[i % len(photos)], d/f'{i:06d}_{photos[i % len(photos)].name}')
    return d

def ratio_rows(speed, ref):
    return [f"| {k} | {statistics.median(v):.2f} | {statistics.median(s / c for s, c in zip(v, speed[ref])):.2f}x |"
            for k, v in speed.items()]

# --- stages: what one image costs, stage by stage, on one core ------------------------------------------------------
if 'stages' in parts:
    import io
    import pyarrow.parquet as pq
    from petcam.dataset import map_stats, _mask_scores, _masker, rows_table, cam_rows
    from petcam.localization import trimap_of
    files, t = photos[:a.n], {}
    threads = torch.get_num_threads(); torch.set_num_threads(1)
    t['decode (`read_image`)'] = timed(lambda: [read_image(f) for f in files])
    ims = [read_image(f) for f in files]
    batches = [ims[i:i + a.bs] for i in range(0, len(ims), a.bs)]
    xs = []
    t['resize, to tensor, normalise (`test_dl`)'] = timed(lambda: xs.extend(learn.dls.test_dl(b, bs=a.bs).one_batch()[0] for b in batches))
    res = []
    t['the network and the maps (`cam`, 1 thread)'] = timed(lambda: res.extend(get_method('cam')(learn, x) for x in xs))
    maps = [r.maps[torch.arange(len(r.maps)), r.probs.argmax(1)] for r in res]
    t['where the maps lie (`map_stats`)'] = timed(lambda: [map_stats(m, (224, 224)) for m in maps])
    fbs = [files[i:i + a.bs] for i in range(0, len(files), a.bs)]
    t['object energy, pointing (trimaps: read, align, score)'] = timed(lambda: [_mask_scores(learn, fb, m, trimap_of) for fb, m in zip(fbs, maps)])
    rows = pd.concat([b.rows for b in cam_rows(learn, files[:a.bs * 2], bs=a.bs)], ignore_index=True)
    part = pd.concat([rows] * -(-512 // len(rows)), ignore_index=True)[:512]
    t['a row into Parquet (in parts of 512 rows)'] = timed(lambda: [pq.write_table(rows_table(part, list(learn.dls.vocab)), io.BytesIO())
                                                               for _ in range(5)]) / (5 * 512) * len(files)
    imgs = [learn.dls.test_dl(b, bs=a.bs).decode((x,))[0] for b, x in zip(batches, xs)]
    d = fresh('png'); d.mkdir()
    t['an overlay PNG (`cam_image`, encode, write)'] = timed(lambda: [save_fig(cam_image(i, m), d/f'{k}_{j}.png') for k, (ib, mb) in enumerate(zip(imgs, maps)) for j, (i, m) in enumerate(zip(ib, mb))])
    torch.set_num_threads(threads)
    n = len(files)
    cpu = sum(v for k, v in t.items() if 'network' not in k and 'PNG' not in k)
    table = [f"{about.replace(f'{threads} torch threads', '1 torch thread')}; {n} photos of the sample; one thread, each stage on its own.", '',
             '| stage | ms per image |', '| --- | ---: |', *[f"| {k} | {1000 * v / n:.1f} |" for k, v in t.items()], '',
             f"Besides the network and the overlays: {1000 * cpu / n:.1f} ms per image on one core."]
    print('\n'.join(table)); write_result('dataset_stages', table)

# --- rows: the row core against learn.cams -----------------------------------------------------------------------
if 'rows' in parts:
    files = photos[:a.n]
    runs = {'`learn.cams`': lambda: learn.cams(files, bs=a.bs, progress=False),
            '`write_cam_rows` (Parquet rows, maps, object energy)': lambda: write_cam_rows(learn, files, fresh('rows'), bs=a.bs, progress=False),
            '`write_cam_rows`, no masks, no maps': lambda: write_cam_rows(learn, files, fresh('rows'), bs=a.bs, masks=None, maps=False, progress=False)}
    speed = {k: [] for k in runs}
    for r in range(a.reps):
        for k, f in runs.items():
            speed[k].append(len(files) / timed(f)); print(f"round {r + 1}: {k}: {speed[k][-1]:.2f} images/s", file=sys.stderr)
    table = [f"{about}; {len(files)} photos; median of {a.reps} rounds.", '', '| what | images/s | vs `learn.cams` |',
             '| --- | ---: | ---: |', *ratio_rows(speed, '`learn.cams`')]
    print('\n'.join(table)); write_result('dataset_rows', table)

# --- ray: the same rows on Ray Data -------------------------------------------------------------------------------
if 'ray' in parts:
    import ray, logging
    from petcam.raydata import ray_cam_rows, CamPredictor
    class TimedPredictor(CamPredictor):
        "A `CamPredictor` that logs when its actor started, how long the constructor took, and each call's time."
        def __init__(self, *args, log, **kwargs):
            t = time.time(); super().__init__(*args, **kwargs); self.log = log
            with open(log, 'a') as f: f.write(json.dumps(dict(init=time.time() - t, ready=time.time())) + '\n')
        def __call__(self, batch):
            t = time.time(); res = super().__call__(batch)
            with open(self.log, 'a') as f: f.write(json.dumps(dict(call=time.time() - t, n=len(batch['file']))) + '\n')
            return res
    files = photos[:a.n]
    os.environ['RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER'] = '0'
    res = []
    for r in range(a.reps):
        t_local = timed(lambda: write_cam_rows(learn, files, fresh('local'), bs=a.bs, progress=False))
        log = tmp/f'ray_{r}.log'
        t0 = time.time()
        ray.init(num_cpus=os.cpu_count() + 2, include_dashboard=False, logging_level=logging.WARNING)
        t_init = time.time() - t0
        t1 = time.time()
        ray_cam_rows(a.model, files, fresh('ray'), bs=a.bs, workers=1, cpus_per_worker=os.cpu_count(), progress=False,
                     predictor=TimedPredictor, predictor_kwargs=dict(log=str(log)))
        t_run = time.time() - t1
        ray.shutdown()
        ev = [json.loads(o) for o in log.read_text().split('\n') if o]
        ready = min(e['ready'] for e in ev if 'ready' in e)
        res.append(dict(local=t_local, init=t_init, run=t_run, actor=ready - t1, calls=sum(e['call'] for e in ev if 'call' in e),
                        total=t_init + t_run))
        print(f"round {r + 1}: {res[-1]}", file=sys.stderr)
    m = {k: statistics.median(o[k] for o in res) for k in res[0]}
    other = m['run'] - m['actor'] - m['calls']
    n = len(files)
    table = [f"{about}; {n} photos; one actor with all {os.cpu_count()} cores; median of {a.reps} rounds.", '',
             '| what | seconds | images/s | vs `write_cam_rows` |', '| --- | ---: | ---: | ---: |',
             f"| `write_cam_rows` (one process) | {m['local']:.1f} | {n / m['local']:.2f} | 1.00x |",
             f"| `ray_cam_rows`, Ray started and stopped in the run | {m['total']:.1f} | {n / m['total']:.2f} | {m['local'] / m['total']:.2f}x |",
             f"| `ray_cam_rows` in a running Ray | {m['run']:.1f} | {n / m['run']:.2f} | {m['local'] / m['run']:.2f}x |", '',
             'Where the Ray run\'s time goes:', '', '| part | seconds | share of the Ray run |', '| --- | ---: | ---: |',
             f"| starting Ray (`ray.init`) | {m['init']:.1f} | {m['init'] / m['total']:.0%} |",
             f"| until the actor is ready: the driver's checks and manifest, a process, importing petcam and fastai, loading the model | {m['actor']:.1f} | {m['actor'] / m['total']:.0%} |",
             f"| the predictor's calls (the rows themselves) | {m['calls']:.1f} | {m['calls'] / m['total']:.0%} |",
             f"| the rest: Ray's scheduling and data movement, writing the Parquet files and checkpoints, reading the rows back | {other:.1f} | {other / m['total']:.0%} |",
             '', f"The predictor's calls alone run at {n / m['calls']:.2f} images/s, {m['local'] / m['calls']:.2f}x `write_cam_rows`."]
    print('\n'.join(table)); write_result('dataset_ray', table)

# --- overlays: the petcam_cam command, whole process, against learn.cams ------------------------------------------------
if 'overlays' in parts:
    d = linked(a.n_overlays)
    files = get_image_files(d).sorted()
    cmd = lambda out, *more: [str(bin_dir/'petcam_cam'), '--model', a.model, str(d), '--out', str(out), '--bs', str(a.bs), *more]
    startup = [str(bin_dir/'python'), '-c', f"import petcam.cli, petcam.files; petcam.files.load_cam_model({a.model!r})"]
    runs = {'`learn.cams` (in this process)': lambda: learn.cams(files, bs=a.bs, progress=False),
            '`petcam_cam`: one overlay PNG per image, whole process': lambda: subprocess.run(cmd(fresh('png')), check=True, capture_output=True),
            '`petcam_cam --no-overlays`, whole process': lambda: subprocess.run(cmd(fresh('nopng'), '--no-overlays'), check=True, capture_output=True),
            'starting: importing petcam and loading the model': lambda: subprocess.run(startup, check=True, capture_output=True)}
    secs = {k: [] for k in runs}
    for r in range(a.reps):
        for k, f in runs.items():
            secs[k].append(timed(f)); print(f"round {r + 1}: {k}: {secs[k][-1]:.1f} s", file=sys.stderr)
    n, ref = len(files), '`learn.cams` (in this process)'
    st = secs['starting: importing petcam and loading the model']
    rows = [f"| {k} | {statistics.median(v):.1f} | {n / statistics.median(v):.2f} | {statistics.median(c / s for s, c in zip(v, secs[ref])):.2f}x |"
            for k, v in secs.items() if not k.startswith('starting')]
    rows += [f"| `petcam_cam`: one overlay PNG per image, without starting | {statistics.median(s - t for s, t in zip(secs[k], st)):.1f} | "
             f"{n / statistics.median(s - t for s, t in zip(secs[k], st)):.2f} | {statistics.median(c / (s - t) for s, t, c in zip(secs[k], st, secs[ref])):.2f}x |"
             for k in ['`petcam_cam`: one overlay PNG per image, whole process']]
    table = [f"{about}; {n} photos (the {len(photos)} of the sample, repeated through hard links); median of {a.reps} rounds. "
             f"Starting (importing petcam and fastai, loading the model) took {statistics.median(st):.1f} s.", '',
             '| what | seconds | images/s | vs `learn.cams` |', '| --- | ---: | ---: | ---: |', *rows]
    print('\n'.join(table)); write_result('dataset_overlays', table)

# --- memory: peak resident memory, 1,000 against 10,000 images -----------------------------------------------------
def tree_rss(pid):
    "Resident memory of process `pid` and its descendants (MiB): (all of them, the largest one)."
    try: ps = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess: return 0, 0
    rss = []
    for q in ps:
        try: rss.append(q.memory_info().rss / 2**20)
        except psutil.NoSuchProcess: pass
    return sum(rss), max(rss, default=0)

def peak(cmd):
    "Run `cmd`; the peak over time of its process tree's resident memory (MiB): (all, the largest process)."
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    top = [0, 0]
    def watch():
        while proc.poll() is None:
            s, m = tree_rss(proc.pid); top[0], top[1] = max(top[0], s), max(top[1], m); time.sleep(0.5)
    w = threading.Thread(target=watch); w.start()
    err = proc.communicate()[1]; w.join()
    if proc.returncode: raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
    return top

if 'memory' in parts:
    model = a.mem_model or a.model
    ns = [int(o) for o in a.mem_n.split(',')]
    res = {}
    for engine in ('local', 'ray'):
        for n in ns:
            d, out = linked(n), fresh(f'mem_{engine}_{n}')
            res[engine, n] = peak([str(bin_dir/'petcam_cam'), '--model', model, str(d), '--out', str(out), '--format', 'parquet',
                                   '--no-overlays', '--bs', str(a.bs), '--engine', engine])
            print(f"{engine} {n}: {res[engine, n]}", file=sys.stderr)
            shutil.rmtree(out, ignore_errors=True)
    mm = read_cam_meta(model)
    rows = [f"| `petcam_cam --format parquet{' --engine ray' if e == 'ray' else ''}` | {n:,} | {s:,.0f} | {m:,.0f} | "
            f"{m / res[e, ns[0]][1]:.2f}x |" for (e, n), (s, m) in res.items()]
    table = [f"{mm['arch']} at {mm['size'][0]} px; batch {a.bs}; peak resident memory sampled every 0.5 s over the command's "
             "process and all its descendants (with Ray: its servers and the actor).", '',
             '| command | images | all processes (MiB) | largest process (MiB) | largest vs the fewest images |',
             '| --- | ---: | ---: | ---: | ---: |', *rows]
    print('\n'.join(table)); write_result('dataset_memory', table)

shutil.rmtree(tmp, ignore_errors=True)
