"""Reading any image file for a model, and predicting on the learner's own images.

``load_image`` turns a path, bytes or a file object into one RGB array of raw
pixel values (0..255, float32), whatever the file holds: RGB, RGBA or a palette
with transparency (composited on white), grayscale, 16-bit, CMYK, or a photo
rotated by its EXIF tag. A file that is empty, truncated or not an image raises
``ImageError`` with a message that says what to do.

``predict_image`` runs a model on one such image and shows it with the class
probabilities; ``upload_and_predict`` does the same for files chosen with an
upload button (JupyterLab and Colab). The models they serve take raw pixel
values: they start with their own ``Rescaling`` layer, as the course's models do.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ImageSource = str | Path | bytes | bytearray | memoryview | IO[bytes]

_WHITE = (255, 255, 255, 255)


class ImageError(ValueError):
    """A file that cannot be used as an image; the message says why and what to do."""


def _describe(source: Any, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, (str, Path)):
        return str(source)
    return getattr(source, "name", None) or "the uploaded file"


def _read_bytes(source: ImageSource, what: str) -> bytes:
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            hint = "it is a folder, not a file" if path.is_dir() else "no such file"
            raise ImageError(
                f"Cannot open {path}: {hint}. Check the path (relative paths start in "
                f"the folder of the notebook, {Path.cwd()})."
            )
        return path.read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        return source.read()
    raise TypeError(f"load_image expects a path, bytes or a binary file object, not {type(source).__name__}")


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Any PIL mode -> (H, W, 3) float32 in 0..255."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.asarray(img, dtype=np.float64)
        if img.mode.startswith("I;16") or values.max(initial=0) > 255:
            values = values * (255.0 / 65535.0)  # 16-bit grey: 0..65535 -> 0..255
        grey = np.clip(values, 0, 255).astype(np.float32)
        return np.repeat(grey[..., np.newaxis], 3, axis=-1)
    transparent = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        img.mode in ("P", "L", "RGB") and "transparency" in img.info
    )
    if transparent:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, _WHITE)
        img = Image.alpha_composite(background, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def _resize(pixels: np.ndarray, size: int | Sequence[int]) -> np.ndarray:
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    if pixels.shape[:2] == (height, width):
        return pixels
    import tensorflow as tf

    # The same bilinear resize that keras.utils.image_dataset_from_directory applies.
    return tf.image.resize(pixels, (height, width), method="bilinear").numpy().astype(np.float32)


def load_image(source: ImageSource, size: int | Sequence[int] | None = None, *, name: str | None = None) -> np.ndarray:
    """Read one image as a float32 array of shape (H, W, 3), RGB, values 0..255.

    ``size`` resizes it: an int for a square, or (height, width). Raises
    ``ImageError`` for a missing, empty, truncated or non-image file.
    """
    what = _describe(source, name)
    data = _read_bytes(source, what)
    if not data:
        raise ImageError(
            f"{what} is empty (0 bytes). Choose the file again; if it came from a "
            f"download or a copy, that transfer did not finish."
        )
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except UnidentifiedImageError:
        start = data[:40].decode("utf-8", errors="replace").strip()
        raise ImageError(
            f"{what} is not an image this course can read (it starts with {start!r}). "
            f"Use a JPEG, PNG, GIF, BMP or WebP file."
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            f"{what} is truncated or damaged ({exc}). Open it in an image viewer to "
            f"check, or export it again as JPEG or PNG."
        ) from None
    img = ImageOps.exif_transpose(img)
    pixels = _to_rgb(img)
    return pixels if size is None else _resize(pixels, size)


@dataclass
class Prediction:
    """A model's answer for one image: the winning class and every class's probability."""

    label: str
    probabilities: dict[str, float]
    image: np.ndarray = field(repr=False)
    name: str = ""

    @property
    def confidence(self) -> float:
        """The probability of the winning class."""
        return self.probabilities[self.label]


def class_probabilities(output: np.ndarray, class_names: Sequence[str]) -> dict[str, float]:
    """Map one model output (one sigmoid unit, or a softmax vector) to {class name: probability}."""
    output = np.asarray(output, dtype=np.float64).reshape(-1)
    names = list(class_names)
    if output.size == 1:
        if len(names) != 2:
            raise ValueError(
                f"The model has one sigmoid output, which means two classes, but "
                f"{len(names)} class names were given: {names}."
            )
        p = float(output[0])
        return {names[0]: 1.0 - p, names[1]: p}
    if output.size != len(names):
        raise ValueError(
            f"The model outputs {output.size} probabilities but {len(names)} class names were given: {names}."
        )
    return {name: float(p) for name, p in zip(names, output)}


def _show(prediction: Prediction) -> None:
    import matplotlib.pyplot as plt

    names = list(prediction.probabilities)
    values = [prediction.probabilities[n] for n in names]
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(7.5, 2.8), gridspec_kw={"width_ratios": [1, 1.3]})
    ax_img.imshow(prediction.image.astype(np.uint8))
    ax_img.set_title(prediction.name, fontsize=9)
    ax_img.axis("off")
    colours = ["tab:green" if n == prediction.label else "tab:gray" for n in names]
    ax_bar.barh(names, values, color=colours)
    ax_bar.set_xlim(0, 1)
    ax_bar.invert_yaxis()
    for y, v in enumerate(values):
        ax_bar.text(min(v + 0.02, 0.85), y, f"{v:.1%}", va="center")
    ax_bar.set_xlabel("probability")
    ax_bar.set_title(f"prediction: {prediction.label}")
    fig.tight_layout()
    plt.show()


def predict_image(
    model,
    source: ImageSource,
    class_names: Sequence[str],
    size: int | Sequence[int],
    *,
    show: bool = True,
    name: str | None = None,
) -> Prediction | None:
    """Run ``model`` on one image file and return its ``Prediction``; draw it if ``show``.

    The image is read with ``load_image`` and resized to ``size``; the model gets
    raw pixel values 0..255. For a file that is not a usable image the message is
    printed and ``None`` is returned, so a notebook cell does not end in a traceback.
    """
    what = _describe(source, name)
    try:
        pixels = load_image(source, size, name=what)
    except ImageError as exc:
        print(f"Cannot predict: {exc}")
        return None
    output = model.predict(pixels[np.newaxis], verbose=0)[0]
    probabilities = class_probabilities(output, class_names)
    label = max(probabilities, key=probabilities.get)
    prediction = Prediction(label, probabilities, pixels, Path(what).name if what else "")
    print(f"{prediction.name}: {label} ({prediction.confidence:.1%})")
    if show:
        _show(prediction)
    return prediction


def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """(name, content) for each file in a ``FileUpload`` value, ipywidgets 8 or 7."""
    if isinstance(value, dict):  # ipywidgets 7: {name: {"metadata": ..., "content": bytes}}
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value]


def upload_and_predict(model, class_names: Sequence[str], size: int | Sequence[int]):
    """Show an upload button; each chosen image is predicted and drawn below it.

    Works in JupyterLab and Colab. Where nothing can be uploaded (a script, a test
    run) the button is still created and a line says how to use it. Returns the
    ``FileUpload`` widget.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .widgets import enable_colab_widgets

    enable_colab_widgets()
    upload = widgets.FileUpload(accept="image/*", multiple=True, description="Choose images")
    output = widgets.Output()

    def on_upload(change) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        output.clear_output()
        with output:
            for filename, content in files:
                predict_image(model, content, class_names, size, name=filename)

    upload.observe(on_upload, names="value")
    display(widgets.VBox([upload, output]))
    print(
        "Click 'Choose images' above and pick one or more image files (JPEG, PNG, ...); each is "
        "shown with the model's prediction. Or pass a path: predict_image(model, 'my_photo.jpg', ...)."
    )
    return upload
