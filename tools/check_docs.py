#!/usr/bin/env python
"""Check the built docs site in `_docs/` as a reader would see it, in headless Chromium.

    .venv/bin/python tools/check_docs.py      # after tools/build_docs.py

The site is served on 127.0.0.1 by a local HTTP server that records every request. Chromium opens each page
inside a small same-origin frame whose script reports the rendered page and whether each picture loaded. Checked:
- every notebook in nbs/ has its page, and each page's sidebar links every page;
- the home page shows the CAM grid picture (`cam_grid.png`, a PNG that the browser decoded);
- each module's API page shows a heading for each of its documented functions and classes (`__all__`, and
  methods patched onto other classes), exactly once;
- each documented name is shown as nbdev's Quarto sites show it: its signature, then a table of its parameters;
- formulas are MathML that the browser drew (at least as many as the notebook's markdown holds), and no raw TeX
  (`\\(`, `\\[`, `$$`, `$...$`) reaches the text of a page;
- at 1280 px, nothing in a page scrolls sideways or sticks out of the content column (code wraps);
- every internal link, picture, stylesheet and script resolves (files exist, `#anchors` exist in their page),
  and the browser requested nothing that the server did not have;
then a screenshot of the home page goes to `_docs/screenshot.png`. Exits non-zero, saying what failed.
"""
import copy, importlib, json, re, shutil, subprocess, sys, tempfile, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup
from nbdev.config import get_config
from build_docs import pandoc_slug

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']  # the site must work offline: nothing leaves the machine

# Served at /__check__.html#page: opens `page` in a frame and appends what the reader got as JSON
PROBE = b"""<!doctype html><html><head><link rel="icon" href="data:,"></head><body><iframe id="f" style="width:1280px;height:1000px;border:0"></iframe><script>
const f = document.getElementById('f');
f.onload = () => {
  const d = f.contentDocument, pre = document.createElement('pre');
  pre.id = 'result';
  const art = d.querySelector('article'), col = d.querySelector('.md-content') || art;  // the content column
  const right = col ? col.getBoundingClientRect().right : 0;
  const name = e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className.trim().split(/\s+/).join('.') : '')
    + ': ' + (e.textContent || '').trim().slice(0, 60);
  pre.textContent = JSON.stringify({url: d.location.href, html: d.documentElement.outerHTML,
    images: [...d.images].map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth, height: i.naturalHeight})),
    // what a reader would scroll sideways, or what sticks out of the content column
    wide: art ? [...art.querySelectorAll('*')].filter(e => {
      const cs = f.contentWindow.getComputedStyle(e), r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > right + 1 ||
        (['auto', 'scroll'].includes(cs.overflowX) && e.scrollWidth > e.clientWidth + 1));
    }).map(name) : null,
    math: [...d.querySelectorAll('math')].map(m => ({text: m.textContent, width: m.getBoundingClientRect().width,
                                                    height: m.getBoundingClientRect().height}))});
  document.body.appendChild(pre);
};
f.src = decodeURIComponent(location.hash.slice(1));
</script></body></html>"""

class Handler(SimpleHTTPRequestHandler):
    "Serves the site and the probe page, and records the status of every request"
    def do_GET(self):
        if self.path.split('?')[0] != '/__check__.html': return super().do_GET()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html'); self.send_header('Content-Length', str(len(PROBE)))
        self.end_headers(); self.wfile.write(PROBE)
    def log_request(self, code='-', size='-'): self.server.requests.append((self.path, int(code)))
    def log_message(self, *args): pass

def chromium_exe():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if not exe: sys.exit('check_docs: Chromium not found; install it (Debian: apt-get install -y chromium)')
    return exe

def chromium(*args):
    "Run headless Chromium with a throwaway profile; return its stdout"
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([chromium_exe(), *CHROMIUM_FLAGS, f'--user-data-dir={profile}', *args],
                           capture_output=True, text=True, timeout=120)
    if r.returncode: raise RuntimeError(f'chromium {args} failed ({r.returncode}):\n{r.stderr[-2000:]}')
    return r.stdout

def page_name(nb):
    "The page Quarto (and build_docs.py) makes of notebook `nb`: numeric prefix dropped"
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem.lower()) + '.html'

def default_exp(nb):
    "The module that notebook `nb` exports to, if any"
    src = ''.join(''.join(c['source']) + '\n' for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
    m = re.search(r'^\s*#\|\s*default_exp\s+(\S+)', src, flags=re.M)
    return m and m[1]

def documented_names(cfg, mod):
    "Names that module `mod` should document: functions and classes in `__all__`, and methods it patches"
    m = importlib.import_module(f'{cfg.lib_name}.{mod}')
    names = [o for o in getattr(m, '__all__', []) if callable(getattr(m, o, None))]
    syms = importlib.import_module(f'{cfg.lib_name}._modidx').d['syms'].get(m.__name__, {})
    for s in syms:
        parts = s[len(m.__name__)+1:].split('.')
        if len(parts) == 2 and parts[0] not in names and not any(o.startswith('_') for o in parts):
            names.append('.'.join(parts))
    return names

_re_tex = re.compile(r'\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)[^$\n]+?(?<=\S)\$(?![\d\w$])', re.S)  # pandoc's rules for $..$
_re_raw_tex = re.compile(r'\\\(|\\\[|\$\$|' + _re_tex.pattern.split('|', 1)[1])

def tex_formulas(nb):
    "How many TeX formulas (`$...$`, `$$...$$`) the markdown cells of notebook `nb` hold, outside code"
    src = '\n\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'markdown')
    src = re.sub(r'^```.*?^```|`[^`\n]*`', '', src, flags=re.M | re.S)
    return len(_re_tex.findall(src))

def prose(soup):
    "The text a reader sees in the page's article, leaving out code, formulas and scripts"
    art = copy.copy(soup.find('article') or soup)
    for t in art.select('pre, code, math, script, style'): t.decompose()
    return art.get_text(' ')

def show_doc_parts(h):
    "The elements after heading `h` that `show_doc` wrote: up to the next heading, rule or code cell"
    for o in h.find_next_siblings():
        if re.fullmatch(r'h[1-6]|hr', o.name) or 'highlight' in o.get('class', []): break
        yield o

class Checker:
    def __init__(self):
        self.ok, self.failed = 0, []
    def __call__(self, cond, msg):
        if cond: self.ok += 1
        else: self.failed.append(msg); print(f'FAIL: {msg}')
        return cond

def main():
    cfg = get_config()
    docs, nbs = cfg.doc_path, cfg.nbs_path
    if not (docs/'index.html').exists(): sys.exit(f'check_docs: {docs}/index.html missing: run tools/build_docs.py first')
    nb_files = sorted(p for p in nbs.rglob('*.ipynb') if not any(o[0] in '._' for o in p.relative_to(nbs).parts))
    pages = {str(nb.relative_to(nbs).with_name(page_name(nb))): nb for nb in nb_files}
    check = Checker()

    srv = ThreadingHTTPServer(('127.0.0.1', 0), partial(Handler, directory=str(docs)))
    srv.requests = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{srv.server_address[1]}/'
    def local_path(url):
        "File under docs/ for a same-origin url, else None"
        if not url.startswith(base): return None
        p = docs/unquote(urlsplit(url).path[len(urlsplit(base).path):])
        return p/'index.html' if p.is_dir() else p
    ids = {}
    def page_ids(p):
        if p not in ids: ids[p] = {t['id'] for t in BeautifulSoup(p.read_text(), 'html.parser').find_all(id=True)}
        return ids[p]

    try:
        seen = {}
        for page in pages:
            out = chromium('--virtual-time-budget=10000', '--dump-dom', f'{base}__check__.html#{page}')
            res = BeautifulSoup(out, 'html.parser').find('pre', id='result')
            if not check(res is not None, f'{page}: Chromium did not render the page'): continue
            seen[page] = res = json.loads(res.get_text())
            soup = BeautifulSoup(res['html'], 'html.parser')
            url = urljoin(base, page)
            check(soup.find('article') is not None and soup.find('h1') is not None, f'{page}: no article with a title')
            # the sidebar links every page
            nav = soup.select_one('nav.md-nav--primary')
            linked = {local_path(urljoin(url, a['href'])) for a in nav.select('a[href]')} if nav else set()
            for other in pages:
                check((docs/other) in linked, f'{page}: the sidebar has no link to {other}')
            # every internal link and resource resolves, anchors included
            refs = [(t.name, t.get('href') or t.get('src')) for t in soup.select('a[href], link[href], img[src], script[src]')]
            for tag, ref in refs:
                target = urljoin(url, ref)
                p = local_path(target)
                if p is None or ref == '#': continue
                if check(p.exists(), f'{page}: <{tag}> {ref} points to {p.relative_to(docs)}, which does not exist'):
                    frag = urlsplit(target).fragment
                    if frag and p.suffix == '.html':
                        check(unquote(frag) in page_ids(p), f'{page}: link {ref}: no #{frag} in {p.relative_to(docs)}')
            for im in res['images']:
                if im['src'].startswith(base): check(im['width'] > 0, f"{page}: picture {im['src']} did not load")
            # API pages document their module
            mod = default_exp(pages[page])
            if mod:
                heads = [h.get_text().replace('¶', '').strip() for h in soup.select('article h2, article h3, article h4')]
                names = documented_names(cfg, mod)
                for nm in names:
                    n = heads.count(nm)
                    check(n == 1, f'{page}: {cfg.lib_name}.{mod}.{nm} is documented {n} times (want once): ' +
                          ('export it in a cell, or call show_doc on it' if n == 0 else
                           "drop the explicit show_doc: nbdev adds one after the exported cell"))
                # each as nbdev's Quarto sites show it: the signature, then a table of its typed parameters
                for h in soup.select('article h2, article h3, article h4'):
                    nm = h.get_text().replace('¶', '').strip()
                    if nm not in names: continue
                    parts = list(show_doc_parts(h))
                    sig = parts[0].pre.get_text() if parts and parts[0].name == 'blockquote' and parts[0].pre else ''
                    if not check(sig.startswith(nm + ' ('), f'{page}: {nm}: no signature line under its heading '
                                 '(a code block that tools/build_docs.py could not turn into one?)'): continue
                    if re.search(r'[:=]', sig.split('(', 1)[1]):
                        check(any(p.find('th', string=re.compile('Type|Details')) for p in parts),
                              f'{page}: {nm}: no table of parameters under its signature')
            # formulas: MathML that the browser drew, and no TeX left as text
            raw = _re_raw_tex.findall(prose(soup))
            check(not raw, f'{page}: raw TeX reaches the reader: {raw[:3]}')
            want, maths = tex_formulas(pages[page]), res['math']
            check(len(maths) >= want, f'{page}: {want} formulas in the notebook, {len(maths)} MathML elements on the page')
            for m in maths:
                check(m['width'] > 0 and m['height'] > 0 and '\\' not in m['text'],
                      f"{page}: formula {m['text'][:60]!r} not drawn, or holds a TeX command latex2mathml does not know")
            # nothing scrolls sideways or sticks out of the content column at 1280 px
            check(not res['wide'], f"{page}: {len(res['wide'])} elements wider than the content at 1280 px, e.g. {res['wide'][:3]}")

        # the home page shows the CAM grid picture
        home = seen.get('index.html', {'images': []})
        grid = [im for im in home['images'] if im['src'].split('?')[0].endswith('cam_grid.png')]
        if check(grid, 'index.html: the home page has no cam_grid.png picture'):
            check(grid[0]['width'] > 0 and grid[0]['height'] > 0, 'index.html: cam_grid.png did not load')
            p = local_path(grid[0]['src'])
            check(p is not None and p.exists() and p.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n',
                  f'index.html: {grid[0]["src"]} is not a PNG in the site')
        # the browser asked for nothing the server lacked
        for path, code in srv.requests:
            check(code < 400, f'the browser requested {path}: HTTP {code}')

        shot = docs/'screenshot.png'
        chromium('--window-size=1280,1000', '--virtual-time-budget=5000', f'--screenshot={shot}', base + 'index.html')
        check(shot.exists() and shot.read_bytes()[:4] == b'\x89PNG', f'no screenshot written to {shot}')
    finally:
        srv.shutdown()

    print(f'Checked {len(pages)} pages of {docs} in Chromium; home page screenshot: {docs/"screenshot.png"}')
    print(f'docs: {check.ok} passed, {len(check.failed)} failed')
    sys.exit(1 if check.failed else 0)

if __name__ == '__main__': main()
