"`from petcam.all import *`: fastai's vision API and all of petcam, every `Learner` method included (fastai's convention)."
import warnings
# fastai's import calls `torch.jit.script`, which torch 2.14 marks deprecated: not the user's concern, keep stderr clean
warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
from fastai.vision.all import *
from .utils import *
from .data import *
from .model import *
from .core import *
from .cam import *
from .gradient import *
from .perturb import *
from .objectives import *
from .activation import *
from .guided import *
from .multiscale import *
from .transformers import *
from .methods import *
from .files import *
from .plot import *
from .localization import *
from .faithfulness import *
from .sanity import *
from .robustness import *
from .complexity import *
from .compare import *
from .interpret import *
from .factorization import *
from .app import *   # gradio itself is imported only when a page is made

# Everything public, but `Figure`: the star imports bring fastcore.xml's HTML tag under that name, and a user's
# matplotlib `Figure` must stay matplotlib's.
__all__ = [k for k in dir() if not k.startswith('_') and k != 'Figure']
