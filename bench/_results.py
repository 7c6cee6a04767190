"The one format of bench/results/<name>.md: a line saying when, on what machine and by which command, then the tables."
import datetime, os, platform, shlex, sys
from pathlib import Path
import torch

RESULTS = Path(__file__).parent / 'results'

def machine()->str:
    return f"{platform.platform()}, {os.cpu_count()} cores ({torch.get_num_threads()} torch threads), torch {torch.__version__}"

def write_result(name:str, lines:list):
    "Write `lines` to bench/results/`name`.md after the line the benchmarks page reads: date, machine, command."
    cmd = ' '.join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0])] + sys.argv[1:])
    RESULTS.mkdir(exist_ok=True)
    tmp = RESULTS / f".{name}.md.tmp"
    tmp.write_text('\n'.join([f"Measured {datetime.date.today().isoformat()} on {machine()} by `python {cmd}`", ''] + lines) + '\n')
    tmp.replace(RESULTS / f'{name}.md')
    print(f'wrote {RESULTS / f"{name}.md"}')
