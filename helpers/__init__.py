"""Helpers shared by the course's notebooks.

Modules by concern:

* ``profile``   - the run profile (``COURSE_PROFILE``: ``full`` or ``fast``)
* ``repro``     - one call that seeds Python, NumPy and TensorFlow
* ``data``      - datasets and pretrained weights: mirror, cache or checked download
* ``images``    - any image file as RGB pixels; predicting on your own images (path or upload)
* ``folders``   - checking, splitting and reading your own folder of class sub-folders
* ``transfer``  - ImageNet models through the data layer; freezing and unfreezing layers
* ``plots``     - image grids, training curves, confusion matrices, annotated matrices
* ``inspection`` - feature maps, kernels and Grad-CAM of a trained convnet
* ``localisation`` - digits on a canvas with their boxes, intersection over union, box drawing
* ``widgets``   - interactive explorers that fall back to a static picture
* ``mirror``    - ``python -m helpers.mirror build DIR``: an offline data folder for lab machines
* ``exercises`` - auto-checked exercises (``q1.check(answer)``, ``hint()``, ``solution()``)
* ``reference`` - plain NumPy versions of convolution, pooling and activations
* ``notebook``  - ``start()``, called at the top of every notebook; ``report_metric`` for the
  figures the course report collects; ``show_source``
"""

from .notebook import report_metric, show_source, start
from .profile import get_profile
from .repro import course_seed

__all__ = ["start", "report_metric", "show_source", "get_profile", "course_seed"]
__version__ = "0.1.0"
