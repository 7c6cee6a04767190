"""Headless Chromium driven over the DevTools protocol, offline: for the app's browser test and bench/app_speed.py.

    from cdp import Chromium            # with tools/ on sys.path
    with Chromium() as c:
        c.open('http://127.0.0.1:7860/')
        c.upload('#photos input[type=file]', 'cat.jpg')
        c.wait("document.querySelector('#results img')")
        c.screenshot('page.png')
    c.external()                        # requests that tried to leave 127.0.0.1: must be []

Every host but 127.0.0.1 is unreachable: names resolve to nothing (`--host-resolver-rules`, as tools/check_docs.py
runs Chromium), and any request to another address, an IP literal included, is failed before it leaves
(`Fetch.failRequest`). Every request the page makes is recorded in `requests`. Debian's `chromium` package; no
Playwright (it downloads its own browsers, which these machines cannot).
"""
import base64, json, shutil, subprocess, tempfile, time, urllib.request
from pathlib import Path
from websockets.sync.client import connect

LOCAL = ('http://127.0.0.1', 'ws://127.0.0.1', 'data:', 'blob:', 'about:')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
         '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--remote-debugging-port=0', '--remote-allow-origins=*']

class Chromium:
    "A headless Chromium tab: open a page, run JavaScript in it, upload files, wait, take screenshots; offline."
    def __init__(self, width=1280, height=900, exe='chromium'):
        self.profile = tempfile.mkdtemp(prefix='petcam_chromium_')
        self.proc = subprocess.Popen([shutil.which(exe) or exe, *FLAGS, f'--user-data-dir={self.profile}',
                                      f'--window-size={width},{height}', 'about:blank'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self._devtools_port()
        tabs = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json'))
        self.ws = connect(next(t for t in tabs if t['type'] == 'page')['webSocketDebuggerUrl'], max_size=None)
        self.id, self.requests = 0, []
        for d in ('Network', 'Page', 'Runtime', 'DOM'): self.send(f'{d}.enable')
        self.send('Fetch.enable', patterns=[{'urlPattern': '*'}])
        self.send('Emulation.setDeviceMetricsOverride', width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _devtools_port(self, timeout=60):
        f, end = Path(self.profile)/'DevToolsActivePort', time.time() + timeout
        while time.time() < end:
            if f.exists() and f.read_text().strip(): return f.read_text().split()[0]
            if self.proc.poll() is not None: break
            time.sleep(0.1)
        raise RuntimeError(f'Chromium did not start (exit status {self.proc.poll()})')

    def _post(self, method, **params):
        self.id += 1
        self.ws.send(json.dumps({'id': self.id, 'method': method, 'params': params}))
        return self.id

    def _event(self, m):
        "Record requests; let through those to 127.0.0.1 (and data: URLs), fail every other."
        meth, p = m.get('method'), m.get('params', {})
        if meth == 'Network.requestWillBeSent': self.requests.append(p['request']['url'])
        elif meth == 'Network.webSocketCreated': self.requests.append(p['url'])
        elif meth == 'Fetch.requestPaused':
            if p['request']['url'].startswith(LOCAL): self._post('Fetch.continueRequest', requestId=p['requestId'])
            else: self._post('Fetch.failRequest', requestId=p['requestId'], errorReason='BlockedByClient')

    def send(self, method, **params):
        "Send a DevTools command and return its result, handling the events that arrive meanwhile."
        my = self._post(method, **params)
        while True:
            m = json.loads(self.ws.recv())
            self._event(m)
            if m.get('id') == my:
                if 'error' in m: raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m['result']

    def js(self, expr):
        "The value of the JavaScript expression `expr` in the page (promises awaited)."
        r = self.send('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r: raise RuntimeError(f"{expr}: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r['result'].get('value')

    def wait(self, expr, timeout=120, every=0.05):
        "Poll `expr` until it is truthy; return its value."
        end = time.time() + timeout
        while True:
            v = self.js(expr)
            if v: return v
            if time.time() > end: raise TimeoutError(f'waited {timeout} s for: {expr}')
            time.sleep(every)

    def open(self, url, ready='document.readyState === "complete"'):
        self.send('Page.navigate', url=url)
        return self.wait(ready)

    def upload(self, selector, *files):
        "Set the files of the `<input type=file>` matched by `selector`, as a user picking them does."
        root = self.send('DOM.getDocument', depth=-1, pierce=True)['root']['nodeId']
        node = self.send('DOM.querySelector', nodeId=root, selector=selector)['nodeId']
        if not node: raise RuntimeError(f'no element matches {selector!r}')
        self.send('DOM.setFileInputFiles', files=[str(Path(f).resolve()) for f in files], nodeId=node)

    def screenshot(self, fname, full=True):
        "Save the page as a PNG: the whole page (`full`), or the window."
        kw = {}
        if full:
            w, h = self.js('[document.documentElement.scrollWidth, document.documentElement.scrollHeight]')
            kw = dict(captureBeyondViewport=True, clip=dict(x=0, y=0, width=w, height=h, scale=1))
        Path(fname).write_bytes(base64.b64decode(self.send('Page.captureScreenshot', format='png', **kw)['data']))
        return Path(fname)

    def external(self):
        "The requests that tried to leave 127.0.0.1."
        return [u for u in self.requests if not u.startswith(LOCAL)]

    def close(self):
        try: self._post('Browser.close')
        except Exception: pass
        try: self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired: self.proc.kill()
        self.ws.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()
