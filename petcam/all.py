"`from petcam.all import *`: fastai's vision API and all of petcam, every `Learner` method included (fastai's convention)."
import warnings
# fastai's import calls `torch.jit.script`, which torch 2.14 marks deprecated: not the user's concern, keep stderr clean
warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
from fastai.vision.all import *
from .data import *
from .model import *
from .cam import *
from .methods import *
from .perturb import *
from .plot import *
from .evaluate import *
from .interpret import *
