"`from petcam.all import *`: fastai's vision API and all of petcam, every `Learner` method included (fastai's convention)."
from fastai.vision.all import *
from .data import *
from .model import *
from .cam import *
from .methods import *
try: from .perturb import *   # TODO(lead): drop the try once 04_perturb is exported
except ImportError: pass
from .plot import *
from .evaluate import *
from .interpret import *
