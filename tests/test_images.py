"""helpers.images: every kind of image file read correctly, bad files named clearly."""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest
from PIL import Image

from helpers.images import (
    ImageError,
    class_probabilities,
    load_image,
    predict_image,
    uploaded_files,
)


def _save(img: Image.Image, path, **kwargs):
    img.save(path, **kwargs)
    return path


def _gradient(height=20, width=30) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // (width - 1), y * 255 // (height - 1), np.full_like(x, 40)], axis=-1)
    return rgb.astype(np.uint8)


def test_rgb_png_is_read_exactly(tmp_path):
    rgb = _gradient()
    path = _save(Image.fromarray(rgb), tmp_path / "rgb.png")
    pixels = load_image(path)
    assert pixels.dtype == np.float32 and pixels.shape == (20, 30, 3)
    np.testing.assert_array_equal(pixels, rgb.astype(np.float32))


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 200  # red everywhere
    rgba[:, :5, 3] = 255  # left half opaque, right half fully transparent
    rgba[:, 5:, 3] = 0
    pixels = load_image(_save(Image.fromarray(rgba), tmp_path / "a.png"))
    np.testing.assert_array_equal(pixels[:, :5], np.broadcast_to([200.0, 0.0, 0.0], (10, 5, 3)))
    np.testing.assert_array_equal(pixels[:, 5:], np.full((10, 5, 3), 255.0))


def test_grayscale_becomes_three_equal_channels(tmp_path):
    grey = np.arange(100, dtype=np.uint8).reshape(10, 10) * 2
    pixels = load_image(_save(Image.fromarray(grey), tmp_path / "g.png"))
    assert pixels.shape == (10, 10, 3)
    for channel in range(3):
        np.testing.assert_array_equal(pixels[..., channel], grey.astype(np.float32))


def test_palette_image_uses_its_colours(tmp_path):
    img = Image.new("P", (4, 4))
    img.putpalette([0, 0, 0, 10, 200, 30] + [0] * (256 * 3 - 6))
    img.putdata([1] * 16)
    pixels = load_image(_save(img, tmp_path / "p.png"))
    np.testing.assert_array_equal(pixels, np.broadcast_to([10.0, 200.0, 30.0], (4, 4, 3)))


def test_palette_transparency_is_composited_on_white(tmp_path):
    img = Image.new("P", (4, 4))
    img.putpalette([0, 0, 0, 10, 200, 30] + [0] * (256 * 3 - 6))
    img.putdata([0] * 8 + [1] * 8)
    img.info["transparency"] = 0  # palette entry 0 is transparent
    pixels = load_image(_save(img, tmp_path / "pt.png", transparency=0))
    np.testing.assert_array_equal(pixels[:2], np.full((2, 4, 3), 255.0))
    np.testing.assert_array_equal(pixels[2:], np.broadcast_to([10.0, 200.0, 30.0], (2, 4, 3)))


def test_16_bit_grayscale_is_scaled_to_0_255(tmp_path):
    values = np.array([[0, 65535], [32768, 65535 // 4]], dtype=np.uint16)
    path = _save(Image.fromarray(values), tmp_path / "deep.png")
    pixels = load_image(path)
    expected = values.astype(np.float64) * 255 / 65535
    np.testing.assert_allclose(pixels[..., 0], expected, atol=0.01)
    assert pixels.max() <= 255.0 and pixels[0, 1, 0] == pytest.approx(255.0)


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    img = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # no cyan, full magenta and yellow: red
    pixels = load_image(_save(img, tmp_path / "c.jpg", quality=95))
    red, green, blue = pixels.reshape(-1, 3).mean(axis=0)
    assert red > 200 and green < 60 and blue < 60


def test_exif_rotation_is_applied(tmp_path):
    img = Image.fromarray(_gradient(20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    pixels = load_image(_save(img, tmp_path / "rot.jpg", exif=exif, quality=95))
    assert pixels.shape == (30, 20, 3)


def test_bytes_file_objects_and_resizing(tmp_path):
    path = _save(Image.fromarray(_gradient(40, 60)), tmp_path / "big.png")
    from_bytes = load_image(path.read_bytes(), 16)
    with open(path, "rb") as handle:
        from_file = load_image(handle, (10, 12))
    assert from_bytes.shape == (16, 16, 3) and from_file.shape == (10, 12, 3)
    assert 0.0 <= from_bytes.min() and from_bytes.max() <= 255.0
    # A smooth gradient stays a gradient: left is darker than right in the red channel.
    assert from_file[:, 0, 0].mean() < from_file[:, -1, 0].mean()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"name,label\ncat.1.jpg,cat\n", "not an image"),
        (b"%PDF-1.7 not a picture", "not an image"),
    ],
)
def test_bad_content_gets_a_clear_message(tmp_path, content, words):
    path = tmp_path / "upload.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=words) as info:
        load_image(path)
    assert "upload.jpg" in str(info.value)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_files_are_reported(tmp_path, suffix):
    path = _save(Image.fromarray(_gradient(64, 64)), tmp_path / f"whole{suffix}")
    data = path.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated or damaged"):
        load_image(cut)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nothing.png")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)


def test_class_probabilities_for_sigmoid_and_softmax():
    assert class_probabilities(np.array([0.8]), ["horses", "humans"]) == pytest.approx({"horses": 0.2, "humans": 0.8})
    assert class_probabilities(np.array([0.1, 0.7, 0.2]), "abc") == pytest.approx({"a": 0.1, "b": 0.7, "c": 0.2})
    with pytest.raises(ValueError, match="two classes"):
        class_probabilities(np.array([0.8]), ["a", "b", "c"])
    with pytest.raises(ValueError, match="outputs 3 probabilities but 2"):
        class_probabilities(np.array([0.1, 0.7, 0.2]), ["a", "b"])


def _brightness_model(size: int) -> keras.Model:
    """One sigmoid unit that says 'bright' for images brighter than mid-grey (raw pixels in)."""
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Rescaling(1 / 255)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(1, activation="sigmoid")
    outputs = dense(x)
    model = keras.Model(inputs, outputs)
    dense.set_weights([np.full((3, 1), 20.0 / 3), np.array([-10.0])])
    return model


def test_predict_image_feeds_raw_pixels_and_names_the_class(tmp_path, capsys):
    model = _brightness_model(8)
    white = _save(Image.new("RGB", (50, 30), "white"), tmp_path / "white.png")
    black = _save(Image.new("L", (17, 17), 0), tmp_path / "black.png")
    bright = predict_image(model, white, ["dark", "bright"], 8, show=False)
    dark = predict_image(model, black, ["dark", "bright"], 8, show=False)
    assert bright.label == "bright" and bright.confidence > 0.99
    assert dark.label == "dark" and dark.confidence > 0.99
    assert bright.image.shape == (8, 8, 3)
    assert "white.png: bright" in capsys.readouterr().out


def test_predict_image_prints_instead_of_raising(tmp_path, capsys):
    broken = tmp_path / "notes.jpg"
    broken.write_text("these are my notes")
    assert predict_image(_brightness_model(8), broken, ["dark", "bright"], 8, show=False) is None
    out = capsys.readouterr().out
    assert "Cannot predict" in out and "not an image" in out


def test_uploaded_files_reads_both_widget_formats():
    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, format="PNG")
    content = png.getvalue()
    v8 = ({"name": "a.png", "type": "image/png", "size": len(content), "content": memoryview(content)},)
    v7 = {"a.png": {"metadata": {"name": "a.png"}, "content": content}}
    assert uploaded_files(v8) == [("a.png", content)] == uploaded_files(v7)
    assert uploaded_files(()) == []


def _choose_files(upload, files: list[tuple[str, str, bytes]]) -> None:
    """Do to ``upload`` what the browser does when files are chosen, in the installed ipywidgets' protocol.

    The front end sends the widget's new state and the kernel applies it with
    ``set_state``. ipywidgets 8 sends ``value``: one entry per file, its time in
    milliseconds. ipywidgets 7 (Colab's) sends ``metadata`` and ``data`` lists and
    bumps ``_counter``, from which the widget builds its read-only ``value`` dict.
    """
    import ipywidgets

    now_ms = 1_700_000_000_000
    if int(ipywidgets.__version__.split(".")[0]) >= 8:
        upload.set_state(
            {
                "value": [
                    {
                        "name": name,
                        "type": kind,
                        "size": len(content),
                        "content": memoryview(content),
                        "last_modified": now_ms,
                    }
                    for name, kind, content in files
                ]
            }
        )
    else:
        upload.set_state(
            {
                "metadata": [
                    {"name": name, "type": kind, "size": len(content), "lastModified": now_ms}
                    for name, kind, content in files
                ],
                "data": [memoryview(content) for _, _, content in files],
                "_counter": upload._counter + len(files),
            }
        )


def test_upload_widget_predicts_each_uploaded_file(capsys):
    import ipywidgets

    from helpers.images import upload_and_predict

    upload = upload_and_predict(_brightness_model(8), ["dark", "bright"], 8)
    assert "Choose images" in capsys.readouterr().out
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, format="PNG")
    _choose_files(upload, [("snow.png", "image/png", png.getvalue()), ("empty.jpg", "image/jpeg", b"")])
    # The widget's own value, in this version's format, is what the callback read.
    expected_type = tuple if int(ipywidgets.__version__.split(".")[0]) >= 8 else dict
    assert isinstance(upload.value, expected_type) and len(upload.value) == 2
    out = capsys.readouterr().out
    assert "snow.png: bright" in out
    assert "Cannot predict: empty.jpg is empty" in out
