#!/usr/bin/env python
"""Build petcam's documentation site into `_docs/`, and `README.md` from `nbs/index.ipynb`, without Quarto.

    .venv/bin/python tools/build_docs.py

1. nbdev processes the notebooks exactly as `nbdev_docs` does before it calls Quarto (`nbdev.serve.proc_nbs`:
   `show_doc` cells executed and rendered, `hide`/`export` cells removed, frontmatter and doc links added) into
   `_proc/`, and writes `nbs/sidebar.yml` (`nbdev_sidebar`), the page order of the Quarto site.
   Notebooks with `#| exec_doc` cells (the benchmarks page, which reads `bench/results/`) are processed every time.
2. nbconvert's Markdown exporter turns each processed notebook into a Markdown page, extracting its pictures.
   Only the Quarto cell options (`#| echo: false`, ...) and fenced-div lines (`:::`) are translated here, and
   `show_doc`'s signature code block becomes what nbdev's Quarto sites show: the signature, then a table of the
   parameters (type, default, details from the docments comments).
3. MkDocs with the Material theme builds the static site (sidebar in `sidebar.yml` order, Pygments highlighting,
   search, `nbs/styles.css`). Page names and heading anchors are Quarto's (`cam.html#learner.cams`), so nbdev's doc
   links work. Formulas (`$...$`, `$$...$$`) become MathML as the site is built (latex2mathml), so the pages need
   no MathJax and no network.

The home page and README.md are the same Markdown: README.md is the processed index notebook, with its links to
the other pages pointing at the published site and its pictures at `nbs/`.
On a machine with Quarto, `nbdev_docs` builds the same pages into the same `_docs/`.
"""
import argparse, ast, io, logging, os, re, shutil, tokenize
from html import unescape
from pathlib import Path
from textwrap import fill

import nbformat, yaml
from latex2mathml.converter import convert as tex2mathml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.plugins import BasePlugin
from mkdocs.config import load_config
from nbconvert import MarkdownExporter
from traitlets.config import Config
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs

def pandoc_slug(value, separator='-'):
    "Heading ids as Quarto (pandoc) makes them, so `### Learner.cams` is `#learner.cams` as nbdev's links expect"
    value = re.sub(r'[^\w\s.-]', '', value.strip().lower())
    return re.sub(r'\s+', separator, re.sub(r'^[^a-z_]+', '', value))

_re_opt = re.compile(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')

def quarto_opts(cell):
    "Remove the leading `#| key: value` Quarto options from a code cell and return them"
    lines, opts = cell.source.splitlines(), {}
    while lines and (m := _re_opt.match(lines[0])):
        opts[m[1]] = m[2].lower()
        lines.pop(0)
    cell.source = '\n'.join(lines)
    return opts

def mixed_import_cells(nbs):
    "Cells that nbdev's docs processing would run by mistake: imports mixed with code that does work, not exported"
    for p in sorted(nbs.rglob('*.ipynb')):
        if any(o[0] in '._' for o in p.relative_to(nbs).parts): continue
        cells = nbformat.read(p, as_version=4).cells
        if not any(re.search(r'^(#\|\s*(export|exports|exec_doc)\b|show_doc\()', c.source, re.M) for c in cells): continue
        for i, c in enumerate(cells):
            if c.cell_type != 'code' or re.search(r'^#\|\s*(export|exporti|exports|exec_doc|eval:\s*false)', c.source, re.M): continue
            try: tree = ast.parse(c.source)
            except SyntaxError: continue
            imps = [o for o in ast.walk(tree) if isinstance(o, (ast.Import, ast.ImportFrom))]  # as nbdev looks for them
            harmless = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            if imps and not all(isinstance(o, harmless) for o in tree.body):
                yield f'{p.relative_to(nbs.parent)} cell {i}: {ast.unparse(imps[0])}'

def parse_sig(code):
    "Name, parameters `[(name, type, default, details)]` and return `(type, details)` of a `def` as `show_doc` writes it"
    m = re.match(r'(?:async )?def ([\w.]+)\(', code)  # `def Learner.cams(` is not python: parse `def _f(`
    src = code[:m.start(1)] + '_f' + code[m.end(1):].rstrip()
    src += ('' if re.search(r':\s*(#.*)?$', src) else ':') + '\n    pass\n'  # builtins' text signatures have no `:`
    f = ast.parse(src).body[0]
    notes = {t.start[0]: t.string.lstrip('#').strip()
             for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.COMMENT}
    seg = lambda o: '' if o is None else ast.get_source_segment(src, o)
    a, params = f.args, []
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + a.defaults
    for p, d, star in [*[(p, d, '') for p, d in zip(pos, defaults)], (a.vararg, None, '*'),
                       *[(p, d, '') for p, d in zip(a.kwonlyargs, a.kw_defaults)], (a.kwarg, None, '**')]:
        if p: params.append([star + p.arg, seg(p.annotation), seg(d), '', p.lineno])
    end = f.body[0].lineno - 1  # the line of `)->T:`
    last = {}  # a comment documents the last parameter on its line; comment-only lines go on with the one before
    for p in params: last[p[-1]] = p
    cur = None
    for ln in range(1, end + 1):
        if ln in last: cur = last[ln]
        if ln in notes and ln != end and cur: cur[3] = (cur[3] + ' ' + notes[ln]).strip()
    ret = (seg(f.returns), notes.get(end, '') if end not in last else '')
    return m[1], [tuple(p[:4]) for p in params], ret

def _code(s): return '' if not s else f'`` {s} ``' if '`' in s else f'`{s}`'
def _cell(s): return ''.join(o if o.startswith('`') else o.replace('|', r'\|')
                             for o in re.split(r'(`[^`]*`)', s.replace('\n', ' ')))

def sig_table(code, name=None, doc='', width=80):
    "The signature, docstring `doc` and table of parameters that nbdev's Quarto sites show, from `show_doc`'s code block"
    nm, params, (rtype, rdoc) = parse_sig(code)
    name = name or nm
    args = ', '.join(p + (':' + re.sub(r' *\| *', '|', t) if t else '') + ('=' + d if d else '') for p, t, d, _ in params)
    sig = fill(f"{name} ({args})",
               width, subsequent_indent=' ' * (len(name) + 2), break_long_words=False, break_on_hyphens=False)
    md = '\n'.join('>     ' + o for o in sig.splitlines()) + (f'\n\n{doc.strip()}' if doc.strip() else '')
    rows = [(p.replace('*', r'\*'), _code(t), _code(d), _cell(doc)) for p, t, d, doc in params]
    if rtype or rdoc: rows.append(('**Returns**', _code(rtype), '', _cell(rdoc)))
    cols = [i for i in (1, 2, 3) if any(r[i] for r in rows)]
    if not cols: return md
    hdr = ['', *[('**Type**', '**Default**', '**Details**')[i-1] for i in cols]]
    tbl = [hdr, ['---'] * len(hdr), *[[r[0], *[r[i] for i in cols]] for r in rows]]
    return md + '\n\n' + '\n'.join('| ' + ' | '.join(r) + ' |' for r in tbl)

_re_showdoc = re.compile(r'^(#+ ([^\n]*)\n\n)```python\n((?:async )?def .*?)\n```(.*)\Z', re.M | re.S)

def show_doc_md(md):
    "`show_doc`'s markdown with its code block (which scrolls sideways) replaced by nbdev's signature and table"
    def repl(m):
        try: return m[1] + sig_table(m[3], m[2].strip(), m[4])
        except (SyntaxError, tokenize.TokenError, AttributeError, TypeError): return m[0]  # unreadable: leave it
    return _re_showdoc.sub(repl, md)

def nb2md(nb_path, doc_url=None):
    "Markdown page of processed notebook `nb_path`: (page file name, markdown, {picture path: bytes})"
    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata['language_info'] = {'name': 'python'}  # so code blocks are marked as python and highlighted
    fm, cells = {}, []
    for cell in nb.cells:
        if cell.cell_type == 'raw' and cell.source.startswith('---'):  # frontmatter written by nbdev's FrontmatterProc
            fm = yaml.safe_load(cell.source.strip().strip('-')) or {}
            continue
        if cell.cell_type == 'code':
            opts = quarto_opts(cell)
            if opts.get('include') == 'false': continue
            tags = cell.metadata.setdefault('tags', [])
            if opts.get('echo') == 'false' or not cell.source.strip(): tags.append('remove_input')
            if opts.get('output') == 'false': cell.outputs = []
            for o in cell.outputs:
                if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = show_doc_md(o.data['text/markdown'])
            if not cell.source.strip() and not cell.outputs: continue
        elif cell.cell_type == 'markdown':
            cell.source = re.sub(r'^:::.*\n?', '', cell.source, flags=re.M)  # Quarto fenced divs: keep their content
            if not cell.source.strip(): continue
        cells.append(cell)
    head = f"# {fm.get('title', nb_path.stem)}\n\n" + (f"> {fm['description']}\n\n" if fm.get('description') else '')
    nb.cells = cells
    stem = Path(fm.get('output-file', nb_path.stem + '.html')).stem
    c = Config({'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': {'remove_input'}}})
    body, res = MarkdownExporter(config=c).from_notebook_node(
        nb, resources={'unique_key': stem, 'output_files_dir': f'{stem}_files'})
    md = head + body.strip() + '\n'
    # nbdev's doc links point at the published site, and a page may link another as Quarto names it (`cam.html`);
    # inside the site they are links between its Markdown pages (outside code blocks, where Quarto shows them as written)
    if doc_url:
        link = re.escape(doc_url) + r'/([\w/.-]+?)\.html|(?<=\]\()(?![a-z]+:|/)([\w/.-]+?)\.html'
        md = ''.join(o if o.startswith('```') else re.sub(link, lambda m: (m[1] or m[2]) + '.md', o)
                     for o in re.split(r'(^```.*?^```)', md, flags=re.M | re.S))
    return stem + '.md', md, res.get('outputs', {})

def notebooks(items):
    "The notebooks listed in the `contents` of nbdev's sidebar.yml"
    for o in items:
        if isinstance(o, dict): yield from notebooks(o.get('contents', []))
        else: yield o

def write_page(d, name, md, files):
    "Write page `name` with markdown `md` and its pictures `files` into folder `d`"
    for fn, data in {name: md.encode(), **files}.items():
        (d/fn).parent.mkdir(parents=True, exist_ok=True)
        (d/fn).write_bytes(data)

def nav_from_sidebar(items, pages):
    "MkDocs nav from the `contents` of nbdev's sidebar.yml, mapping notebooks to their pages"
    nav = []
    for o in items:
        if isinstance(o, dict): nav.append({o['section']: nav_from_sidebar(o.get('contents', []), pages)})
        elif o in pages: nav.append(pages[o])
    return nav

def readme_md(md, nb_rel, out_dir):
    "README.md is the home page, with relative picture paths pointing into the notebooks folder"
    nbs_name, keep = str(Path(nb_rel).parent), rf'[a-z]+:|/|#|{re.escape(out_dir)}/' # outputs stay beside README
    md = md.replace('<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->',
                    f'<!-- WARNING: THIS FILE WAS AUTOGENERATED FROM {nb_rel} BY tools/build_docs.py! DO NOT EDIT! -->')
    md = re.sub(rf'(!\[[^\]]*\]\()(?!{keep})', rf'\g<1>{nbs_name}/', md)
    return re.sub(rf'''(<img[^>]*\bsrc=["'])(?!{keep})''', rf'\g<1>{nbs_name}/', md)

_re_math = re.compile(r'<(span|div) class="arithmatex">\s*\\[(\[](.*?)\\[)\]]\s*</\1>', re.S)

def mathml(html):
    "`html` with the formulas that arithmatex marked (`\\(..\\)` inline, `\\[..\\]` display) as MathML, which browsers draw"
    return _re_math.sub(lambda m: tex2mathml(unescape(m[2]), display='block' if m[1] == 'div' else 'inline'), html)

class MathML(BasePlugin):
    "Formulas typeset when the site is built, so pages need no MathJax and no network"
    def on_page_content(self, html, page, **kw):
        try: return mathml(html)
        except Exception as e: raise SystemExit(f'{page.file.src_uri}: a formula latex2mathml cannot read: {e!r}')

def mkdocs_config(cfg, md_dir, nav):
    "MkDocs settings: Material theme, Quarto's page names and anchors, and every broken link an error"
    return dict(
        site_name=cfg.title, site_description=cfg.description, site_author=cfg.author,
        site_url=f'{cfg.doc_host}{cfg.doc_baseurl}/', repo_url=cfg.git_url, edit_uri='',
        copyright=f'Copyright {cfg.copyright}', docs_dir=str(md_dir), site_dir=str(cfg.doc_path), nav=nav,
        use_directory_urls=False, strict=True,
        validation=dict(omitted_files='warn', absolute_links='warn', unrecognized_links='warn', anchors='warn'),
        theme=dict(name='material', font=False, features=['content.code.copy', 'navigation.top'],
                   palette=dict(primary='indigo', accent='deep orange')),
        plugins=['search'],
        extra_css=['styles.css'],  # nbs/styles.css, shared with the Quarto site
        markdown_extensions=[
            'tables', 'attr_list', 'md_in_html', 'admonition',
            {'toc': dict(permalink=True, slugify=pandoc_slug)},
            {'pymdownx.highlight': dict(use_pygments=True)}, 'pymdownx.superfences',
            {'pymdownx.arithmatex': dict(generic=True)}])

def build(n_workers=None, force=False):
    cfg = get_config()
    root, nbs = cfg.config_path, cfg.nbs_path
    if bad := list(mixed_import_cells(nbs)):
        raise SystemExit('build_docs: nbdev runs every cell holding an import to render the docs (show_doc), so these '
                         'cells would run without their context: move their imports to the notebook\'s import cell\n  '
                         + '\n  '.join(bad))
    # what nbdev_docs does before calling Quarto
    refresh_quarto_yml()
    _build_modidx()
    nbdev_sidebar.__wrapped__(path=nbs)
    kw = {} if n_workers is None else dict(n_workers=n_workers)
    rerun_exec_doc(nbs, root/'_proc')
    site(cfg, proc_nbs(nbs, force=force, **kw))

def rerun_exec_doc(nbs, cache):
    "Drop from nbdev's cache the notebooks whose `exec_doc` cells read files (bench/results/), so they run every build"
    if not cache.exists(): return
    t = cache.stat()  # nbdev takes the cache folder's time as that of the last build: keep it
    for nb in nbs.glob('*.ipynb'):
        if re.search(r'"#\|\s*exec_doc\b', nb.read_text()): (cache/nb.name).unlink(missing_ok=True)
    os.utime(cache, ns=(t.st_atime_ns, t.st_mtime_ns))

def site(cfg, proc, sidebar=None):
    "Markdown pages and README.md from the processed notebooks in `proc`, then the MkDocs site"
    root, nbs = cfg.config_path, cfg.nbs_path
    md_dir = proc/'_md'
    if md_dir.exists(): shutil.rmtree(md_dir)
    # pictures and other files the notebooks refer to (e.g. nbs/images/), as proc_nbs copied them
    shutil.copytree(proc, md_dir, ignore=lambda d, fs: [f for f in fs if f == '_md' or Path(f).suffix in ('.ipynb', '.yml')])
    sidebar = sidebar or yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']['contents']
    doc_url, pages = f'{cfg.doc_host}{cfg.doc_baseurl}'.rstrip('/'), {}
    for rel in map(Path, notebooks(sidebar)):
        name, md, files = nb2md(proc/rel, doc_url)
        pages[str(rel)] = str(rel.parent/name)
        write_page(md_dir/rel.parent, name, md, files)
        if str(rel) == cfg.readme_nb:
            md = readme_md(nb2md(proc/rel)[1], f'{nbs.name}/{rel}', f'{Path(name).stem}_files')
            write_page(root, 'README.md', md, files)  # with the index's own pictures beside it, as nbdev_readme does
    nav = nav_from_sidebar(sidebar, pages)
    logging.basicConfig(format='%(levelname)-7s -  %(message)s')
    logging.getLogger('mkdocs').setLevel(logging.INFO)
    conf = load_config(config_file=io.StringIO('{}'), config_file_path=str(root/'mkdocs.yml'),
                       **mkdocs_config(cfg, md_dir, nav))
    conf.plugins['petcam-mathml'] = MathML()  # after arithmatex has found the formulas in the Markdown
    conf.plugins.on_startup(command='build', dirty=False)
    try: mkdocs_build(conf)
    except SystemExit as e: raise SystemExit(f'build_docs: MkDocs stopped: {e}') from None  # strict: a broken link
    finally: conf.plugins.on_shutdown()
    print(f"Built {len(pages)} pages into {cfg.doc_path} and wrote {root/'README.md'}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--force', action='store_true', help='process every notebook again, ignoring the _proc/ cache')
    p.add_argument('--n_workers', type=int, default=None, help='parallel notebook processors (default: CPUs)')
    a = p.parse_args()
    build(a.n_workers, a.force)
