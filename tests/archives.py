"""Small files the data-layer tests build and serve: checksums, zip archives, tiny images."""

from __future__ import annotations

import hashlib
import io
import zipfile


def sha256(payload: bytes) -> str:
    """The hex sha256 of some bytes."""
    return hashlib.sha256(payload).hexdigest()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive holding ``{member name: content}``, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buffer.getvalue()


def tiny_png(value: int) -> bytes:
    """A 4 x 4 grey PNG whose pixels all have ``value``; different values give different files."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (value, value, value)).save(buffer, format="PNG")
    return buffer.getvalue()


def importable_tfds():
    """tensorflow-datasets as the course imports it, or None where it cannot load.

    On Colab's listed versions (``make test-colab``) its import logs a protobuf version
    clash and leaves a partial module; the course then raises its own clear error,
    which ``test_data.test_tfds_broken_here_gives_the_course_error`` checks there.
    """
    from helpers.data import DataUnavailableError
    from helpers.store import import_tfds

    try:
        return import_tfds("tensorflow-datasets")
    except DataUnavailableError:
        return None


TFDS_BROKEN = "tensorflow-datasets cannot be imported in this environment; the course's error for it is tested instead"
