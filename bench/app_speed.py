"""How long `petcam_app`'s page takes from upload to overlay, against `learn.cams` on the same photo; and its memory.

A `petcam_app` server runs in its own process on a free port, serving a model directory (default: the test recipe's
trained MobileNetV2, `pets_learner().save_cam_model`). Then:
- memory: the server's peak resident memory (VmHWM) after 10 and after `--requests` requests made with Gradio's
  client, one photo each (the photos in turn, CAM and Grad-CAM, with the deletion and insertion curves), and how
  many uploads the server still holds afterwards (it should hold none);
- speed, for CAM and for Grad-CAM, on `--n` held-out photos, alternating in each round:
  - `learn.cams([photo], method=m)` in this process, on the same model directory: the reference. It runs in a worker
    thread, as the server runs each request (Gradio's threads): on a busy machine PyTorch's two-thread forward pass in
    the main thread was measured 10x slower than in a worker thread (0.94 s against 0.03 s for MobileNetV2 on one photo,
    at a load average of 22), which would flatter the page;
  - the page through Gradio's client: upload the photo, explain it (curves off), receive the page's results;
  - the page in headless Chromium (`tools/cdp.py`, opened at `?methods=m`, curves off): set the photo on the file
    input, wait until the browser has decoded the overlay;
  the page's cost is the median over photos and rounds of (page time - `learn.cams` time) for the same photo.
  The same in CPU seconds, which a busy machine disturbs far less than wall-clock time: the server process's CPU time
  (all its threads) for each client request, against this process's for `learn.cams`.
Writes the tables to bench/results/app_speed.md (first line: date, machine, command).

    PETCAM_DATA=../shared/pets PETCAM_WEIGHTS=../shared/weights/mobilenet_v2_imagenet_features.pth python bench/app_speed.py
    python bench/app_speed.py --model DIR --n 10 --rounds 3 --requests 200
"""
import argparse, os, sys, time, socket, shutil, statistics, subprocess, tempfile, urllib.request, warnings, json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
warnings.filterwarnings('ignore')
os.environ['HF_HUB_DISABLE_TELEMETRY'] = '1'
from fastai.vision.all import *
from petcam.all import *
from petcam.testing import pets_learner
from gradio_client import Client, handle_file
from _results import write_result
sys.path.insert(0, str(Path(__file__).parent.parent/'tools'))
from cdp import Chromium

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--model', default=None, help="a petcam model directory; default: the test recipe's model, trained once")
p.add_argument('--n', type=int, default=10, help='photos timed (held-out photos of the sample)')
p.add_argument('--rounds', type=int, default=3)
p.add_argument('--requests', type=int, default=200, help='requests before the last memory reading')
a = p.parse_args()

tmp = Path(tempfile.mkdtemp(prefix='app_speed_'))
model = Path(a.model) if a.model else pets_learner().save_cam_model(tmp/'model')
learn = load_cam_model(model, device='cpu')
photos = [f for f in pets_learner().dls.valid_ds.items if try_read(f)[1] is None][:max(a.n, 20)]

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def serve(port, uploads):
    "A `petcam_app` server in its own process: the console script, or pip's script for it written by hand."
    script = Path(sys.executable).parent/'petcam_app'
    if not script.exists():
        script = tmp/'petcam_app'; script.write_text('import sys\nfrom petcam.app import petcam_app\nsys.exit(petcam_app())\n')
    srv = subprocess.Popen([sys.executable, str(script), '--model', str(model), '--port', str(port), '--device', 'cpu'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, GRADIO_TEMP_DIR=str(uploads)))
    for _ in range(1200):
        try: urllib.request.urlopen(f'http://127.0.0.1:{port}/', timeout=5); return srv
        except OSError: time.sleep(0.25)
    raise RuntimeError('petcam_app did not start')

def cpu_s(pid):
    "CPU seconds (user + system, all threads) that process `pid` has used."
    f = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')

def peak_gib(pid):
    status = Path(f'/proc/{pid}/status').read_text()
    return int(next(l for l in status.splitlines() if l.startswith('VmHWM')).split()[1]) / 2**20

port, uploads = free_port(), tmp/'uploads'; uploads.mkdir()
srv = serve(port, uploads)
url = f'http://127.0.0.1:{port}/'
client = Client(url, verbose=False)
try:
    # memory: requests as users make them, the photos in turn
    peaks = {}
    for i in range(a.requests):
        client.predict([handle_file(photos[i % len(photos)])], ['cam', 'grad_cam'], 'predicted class', '64', True, api_name='/explain')
        if i + 1 in (10, a.requests): peaks[i + 1] = peak_gib(srv.pid)
        if (i + 1) % 50 == 0: print(f'{i + 1} requests: peak {peak_gib(srv.pid):.3f} GiB', file=sys.stderr)
    sent = {f.read_bytes() for f in photos}
    kept = sum(f.is_file() and f.read_bytes() in sent for f in uploads.rglob('*'))

    # speed: each photo under a new name in each round, so the page shows a new result for each upload
    load0 = os.getloadavg()[0]
    times = {m: {k: [] for k in ('cams', 'client', 'browser', 'cams_cpu', 'server_cpu')} for m in ('cam', 'grad_cam')}
    worker = ThreadPoolExecutor(1)
    for m in times: worker.submit(learn.cams, photos[:2], method=m, progress=False).result()   # warm up
    with Chromium(width=1280, height=1000) as c:
        for r in range(a.rounds):
            for m in times:
                c.open(f'{url}?methods={m}', "document.querySelector('#photos input[type=file]') !== null")
                c.wait(f"document.querySelector('#methods').innerText.includes('{m}')")
                c.js("document.querySelector('#with-curves input').click()")   # curves off: time the overlay alone
                assert c.js("document.querySelector('#with-curves input').checked") is False
                for i, f in enumerate(photos[:a.n]):
                    g = tmp/f'round{r}'/m/f'{i}_{f.name}'; g.parent.mkdir(parents=True, exist_ok=True); shutil.copy(f, g)
                    t, c0 = time.perf_counter(), time.process_time()
                    worker.submit(learn.cams, [g], method=m, progress=False).result()
                    times[m]['cams'].append(time.perf_counter() - t); times[m]['cams_cpu'].append(time.process_time() - c0)
                    t, c0 = time.perf_counter(), cpu_s(srv.pid)
                    client.predict([handle_file(g)], [m], 'predicted class', '64', False, api_name='/explain')
                    times[m]['client'].append(time.perf_counter() - t); times[m]['server_cpu'].append(cpu_s(srv.pid) - c0)
                    t = time.perf_counter()
                    c.upload('#photos input[type=file]', g)
                    c.wait(f"""(() => {{ const s = [...document.querySelectorAll('#results section.photo')].find(
                                s => s.querySelector('h3').textContent == {json.dumps(g.name)});
                                const i = s && s.querySelector('img.overlay'); return i && i.complete && i.naturalWidth > 0 }})()""",
                           every=0.01)
                    times[m]['browser'].append(time.perf_counter() - t)
                print(f"round {r + 1}, {m}: " + ', '.join(f'{k} {statistics.median(v):.3f} s' for k, v in times[m].items()), file=sys.stderr)
        external = c.external()
    load1 = os.getloadavg()[0]
finally:
    srv.terminate(); srv.wait(timeout=60)

med = statistics.median
def adds(m, k, ref='cams'): return med(p - c for p, c in zip(times[m][k], times[m][ref]))
size = read_cam_meta(model)['size'][0]
rows = [f"| {m} | {med(t['cams']):.3f} s | {med(t['client']):.3f} s | {med(t['browser']):.3f} s | "
        f"{adds(m, 'client'):+.3f} s | **{adds(m, 'browser'):+.3f} s** |" for m, t in times.items()]
cpu_rows = [f"| {m} | {med(t['cams_cpu']):.3f} s | {med(t['server_cpu']):.3f} s | **{adds(m, 'server_cpu', 'cams_cpu'):+.3f} s** |"
            for m, t in times.items()]
table = [f"{learn.arch} at {size} px, {len(learn.dls.vocab)} classes, on the CPU; one photo per upload; median of {a.n} held-out "
         f"photos x {a.rounds} round(s). Target: the page adds under 0.2 s.", '',
         '| method | `learn.cams` | page: Gradio client | page: Chromium, upload to decoded overlay | page adds (client) | page adds (Chromium) |',
         '| --- | ---: | ---: | ---: | ---: | ---: |', *rows, '',
         f"Wall-clock time on a shared machine (load average {load0:.1f} at the start of the timing, {load1:.1f} at its end). "
         "CPU time, which the load disturbs far less: this process's for `learn.cams`, the server's (all its threads) "
         "for a request from Gradio's client:", '',
         '| method | `learn.cams` CPU | server CPU per request | the page adds (CPU) |', '| --- | ---: | ---: | ---: |',
         *cpu_rows, '',
         f"The server's peak resident memory (VmHWM), each request one photo with CAM, Grad-CAM and their deletion and "
         f"insertion curves:", '',
         '| after | peak memory |', '| --- | ---: |',
         *[f'| {n} requests | {v:.3f} GiB |' for n, v in peaks.items()], '',
         f"Growth from {min(peaks)} to {max(peaks)} requests: {100 * (peaks[max(peaks)] / peaks[min(peaks)] - 1):+.1f}%. "
         f"Uploads the server still held afterwards: {kept}. Requests from Chromium that left 127.0.0.1: {len(external)}."]
print('\n'.join(table))
write_result('app_speed', table)
shutil.rmtree(tmp, ignore_errors=True)
