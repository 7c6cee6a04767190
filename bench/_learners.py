"The learners the comparison scripts measure, and their held-out photos with trimaps."
from petcam.all import *
from petcam.testing import pets_learner

def bench_learner(labels:str='species', model:str|None=None):
    """(learner, photos with trimaps, what the photos are): the quality test's cat/dog learner (trained here, seeded,
    ~3 min on 2 cores), the breeds page's 37-breed learner (`pets_learner(labels='breed', epochs=4)`, cached), or a
    saved model directory."""
    if model:
        return load_cam_model(model), [o for o in image_files() if trimap_of(o)], "sample photos with trimaps (the model's held-out split is unknown)"
    if labels == 'breed': learn = pets_learner(labels='breed', epochs=4)
    else:
        set_seed(42, reproducible=True)
        learn = cam_learner(pets_dls(num_workers=0), train_bn=False)
        with learn.no_bar(), learn.no_logging(): fit_cam(learn)
    files = [o for o in learn.dls.valid_ds.items if trimap_of(o)]
    return learn, files, f'held-out photos with trimaps (accuracy {learn.validate()[1]:.4f} on the {len(learn.dls.valid_ds)} held out)'
