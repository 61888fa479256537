"""Course files from an offline mirror, the local cache or a verified download: the kinds of asset and the store.

A catalogue is a list of assets. Each asset has a key (``"mnist"``), a name that a
learner reads (``"MNIST"``), its place in the mirror and cache layout
(``"mnist.npz"``), how to fetch it and how to verify it. ``helpers.data`` holds the
course's catalogue; ``helpers.mirror`` builds an offline folder from it.

A ``Store`` resolves a key in three places, in this order:

1. the offline mirror named by ``COURSE_DATA_DIR``: a file that the mirror's
   ``MANIFEST.sha256`` lists is checked against it, anything else as the asset
   verifies itself (published checksum, image counts); a damaged copy is an error;
2. the cache (``COURSE_CACHE_DIR``, ``data/`` in a clone, else ``~/.cache/cnn-course``),
   laid out like a mirror; a copy that fails its check is fetched again;
3. the official download, checked against its published checksum before it is
   used; nothing half-written ever takes the place of a finished file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MIRROR_ENV = "COURSE_DATA_DIR"
CACHE_ENV = "COURSE_CACHE_DIR"
MANIFEST = "MANIFEST.sha256"
DOWNLOADS = "downloads"  # archives while they are downloaded and unpacked; removed afterwards
DOWNLOAD_TIMEOUT_S = 30
_CHUNK = 1 << 20


class DataUnavailableError(RuntimeError):
    """A dataset or weights file could not be found or fetched; the message says what to do."""


class ChecksumError(DataUnavailableError):
    """A downloaded or mirrored file is not the file the course expects."""


class UnsafeArchiveError(DataUnavailableError):
    """An archive holds an entry that would be written outside the folder it is unpacked into."""


class Damaged(Exception):
    """Raised by an asset's reader: the copy at hand cannot be used (the message says why)."""


# --------------------------------------------------------------------------- #
# Where things live
# --------------------------------------------------------------------------- #


def mirror_dir() -> Path | None:
    """The offline mirror folder from ``COURSE_DATA_DIR``, or None when it is not set.

    Raises DataUnavailableError when the variable names a folder that does not exist.
    """
    raw = os.environ.get(MIRROR_ENV, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        raise DataUnavailableError(
            f"{MIRROR_ENV} is set to '{raw}', but that folder does not exist.\n"
            f"Next step: point {MIRROR_ENV} at the folder that holds the course data "
            f"(see data/README.md for its layout), or unset it to download instead."
        )
    return path


def cache_dir() -> Path:
    """The download cache: ``COURSE_CACHE_DIR``, else ``data/`` in a clone, else ``~/.cache/cnn-course``."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw:
        path = Path(raw).expanduser()
    else:
        clone_data = Path(__file__).resolve().parent.parent / "data"
        if (clone_data / "README.md").is_file():
            path = clone_data
        else:
            path = Path.home() / ".cache" / "cnn-course"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_manifest(folder: Path) -> dict[str, str]:
    """relative path (without ./) -> sha256, from ``folder``'s MANIFEST.sha256 (empty when there is none)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            listed[parts[1].strip().removeprefix("./")] = parts[0].lower()
    return listed


def remove(path: Path) -> None:
    """Delete a file or a folder with everything in it."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- #
# Downloading, verifying and unpacking
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Remote:
    """One file at its official address, with what it must hash to.

    ``checksum`` is the published SHA-256 (64 hex digits) or MD5 (32 hex digits,
    where that is all the publisher gives). ``size`` is the exact length in
    bytes, also used where no checksum was published.
    """

    url: str
    filename: str
    checksum: str | None = None
    size: int | None = None


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def mismatch(path: Path, remote: Remote) -> str | None:
    """How ``path`` differs from the file ``remote`` describes (size, then checksum), or None when it matches."""
    if remote.size is not None and path.stat().st_size != remote.size:
        return f"{path.stat().st_size:,} bytes instead of {remote.size:,}"
    if remote.checksum:
        algorithm = "md5" if len(remote.checksum) == 32 else "sha256"
        found = file_hash(path, algorithm)
        if found != remote.checksum.lower():
            return f"{algorithm} {found} instead of {remote.checksum}"
    return None


def _progress(total: int | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def offline_message(what: str, url: str, exc: BaseException | None, cache: Path) -> str:
    """What a learner reads when ``what`` is neither in the mirror nor in ``cache`` and ``url`` cannot be reached."""
    reason = f" ({getattr(exc, 'reason', exc)})" if exc is not None else ""
    return (
        f"Could not get {what}: its official address {url} cannot be reached{reason}, "
        f"and no copy was found in the cache ({cache}) or an offline mirror.\n"
        f"Next step: connect to the internet and run the cell again, or set "
        f"{MIRROR_ENV} to a folder that holds the course data (a teacher can prepare one; "
        f"data/README.md shows its layout), then restart the kernel."
    )


def download(remote: Remote, dest_dir: Path, *, what: str | None = None, cache: Path | None = None) -> Path:
    """Download ``remote`` into ``dest_dir`` (unless a verified copy is there) and return its path.

    The file is written under a temporary name and only renamed once its
    checksum (or size) matches, so an interrupted or corrupted transfer never
    looks like a finished one. Raises ChecksumError for a file that does not
    match, and DataUnavailableError when the address cannot be reached (its
    message names ``cache``, by default ``dest_dir``, as the place looked in).
    """
    what = what or remote.filename
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / remote.filename
    if target.exists():
        if mismatch(target, remote) is None:
            return target
        print(f"The cached {target} does not match its checksum; downloading it again.")
        target.unlink()

    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(remote.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else remote.size
            with open(partial, "wb") as out, _progress(total, f"Downloading {what}") as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise DataUnavailableError(offline_message(what, remote.url, exc, cache or dest_dir)) from None

    found = mismatch(partial, remote)
    if found is not None:
        partial.unlink(missing_ok=True)
        raise ChecksumError(
            f"The download of {what} from {remote.url} is damaged or is not the expected file "
            f"({found}).\nNothing was kept. Next step: run the cell again (a transfer can break "
            f"off); if it keeps failing, download the file by hand on another machine and "
            f"use an offline folder through {MIRROR_ENV} (see data/README.md)."
        )
    partial.replace(target)
    return target


def safe_extract_zip(archive: Path, target: Path) -> Path:
    """Unpack a zip archive into ``target``, refusing any member that would land outside it.

    Absolute paths, ``..`` components and symbolic links are refused with
    UnsafeArchiveError before anything is unpacked; a damaged (for example
    truncated) archive raises DataUnavailableError. Returns ``target``.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            for info in members:
                name = info.filename
                dest = (root / name).resolve()
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if (
                    name.startswith(("/", "\\"))
                    or ".." in Path(name).parts
                    or is_link
                    or (dest != root and root not in dest.parents)
                ):
                    raise UnsafeArchiveError(
                        f"The archive {archive.name} contains the entry '{name}', which would be "
                        f"written outside {target}. It was not unpacked. Next step: delete "
                        f"{archive} and download it again from the official address."
                    )
            bad = zf.testzip()
            if bad is not None:
                raise zipfile.BadZipFile(f"bad CRC for {bad}")
            for info in members:
                zf.extract(info, root)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataUnavailableError(
            f"The archive {archive} is damaged ({exc}); it was probably cut off during the "
            f"download. Next step: delete it and run the cell again."
        ) from None
    return target


def read_idx(path: Path) -> np.ndarray:
    """Read one gzip-compressed IDX file (the format of the MNIST family)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


# --------------------------------------------------------------------------- #
# The kinds of asset
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Asset:
    """One thing the course reads: its key, the name a learner reads, its place in the layout, its size.

    Subclasses say how to tell that a copy is there (``present``), what is wrong
    with it (``damage``; ``thorough`` adds the slower checks the mirror builder
    runs), how to read it (``open``) and how to fetch a verified copy (``fetch``).
    """

    key: str
    name: str
    path: str  # relative to the mirror or cache folder
    size: str  # approximate size on disk, for listings
    is_folder = False
    downloads_on_open = False  # True: ``open`` fetches into the cache itself (tensorflow-datasets)

    def present(self, path: Path) -> bool:
        return path.is_dir() if self.is_folder else path.is_file()

    def damage(self, path: Path, *, thorough: bool = False) -> str | None:
        return None

    def open(self, path: Path, origin: str, **options):
        return path

    def fetch(self, store: Store, target: Path) -> None:
        raise NotImplementedError


Reader = Callable[[Path], object]  # path -> value; raises Damaged, with the reason, when it cannot


@dataclass(frozen=True)
class File(Asset):
    """One file, downloaded as it is from ``remote`` and checked against its published checksum."""

    remote: Remote
    reader: Reader | None = None  # how to read it; None: the path is the value

    def damage(self, path: Path, *, thorough: bool = False) -> str | None:
        found = mismatch(path, self.remote)
        if found is not None:
            return f"{path}: {found}"
        return _unreadable(self, path) if thorough else None

    def open(self, path: Path, origin: str, **options):
        return path if self.reader is None else self.reader(path)

    def fetch(self, store: Store, target: Path) -> None:
        fetched = store.download(self.remote, target.parent, what=self.name)
        if fetched != target:
            fetched.replace(target)


def _unreadable(asset: File | IdxArrays, path: Path) -> str | None:
    """Why the asset's reader refuses ``path``, or None when it reads it."""
    try:
        asset.open(path, "")
    except Damaged as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class IdxArrays(Asset):
    """Arrays published as gzip-compressed IDX files, stored in the layout as one compressed npz."""

    remotes: dict[str, Remote]  # npz key -> its IDX file
    reader: Reader

    def damage(self, path: Path, *, thorough: bool = False) -> str | None:
        return _unreadable(self, path) if thorough else None

    def open(self, path: Path, origin: str, **options):
        return self.reader(path)

    def fetch(self, store: Store, target: Path) -> None:
        folder = store.cache / DOWNLOADS / self.key
        arrays = {
            key: read_idx(store.download(remote, folder, what=f"{self.name} {remote.filename}"))
            for key, remote in self.remotes.items()
        }
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as fh:
                np.savez_compressed(fh, **arrays)
            problem = _unreadable(self, partial)
            if problem is not None:
                raise ChecksumError(
                    f"{self.name}: the arrays converted from the official files are "
                    f"not as expected: {problem}. Nothing was kept."
                )
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class FolderDataset:
    """Paths to a dataset of class folders, as the loaders return it."""

    name: str
    root: Path
    train: Path
    validation: Path
    class_names: tuple[str, ...]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def tree(self) -> str:
        """The folder tree with the number of images in each class folder."""
        lines = [f"{self.root}/"]
        for split in ("train", "validation"):
            lines.append(f"  {split}/")
            for cls in self.class_names:
                n = self.counts.get(split, {}).get(cls, 0)
                lines.append(f"    {cls}/  {n:>5} images")
        return "\n".join(lines)


_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}


def _count_images(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES) if folder.is_dir() else 0


def content_digest(root: Path, splits: Iterable[str]) -> str:
    """sha256 over the sorted lines ``<split>/<class>/<file> <sha256>`` of the files under ``root/<split>``."""
    lines = []
    for split in splits:
        for path in sorted((root / split).rglob("*")):
            if path.is_file():
                lines.append(f"{path.relative_to(root).as_posix()} {file_hash(path)}")
    lines.sort()
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


@dataclass(frozen=True)
class ImageFolders(Asset):
    """An image dataset stored as ``<path>/<split>/<class>/*.jpg``, unpacked from official zip archives."""

    counts: dict[str, dict[str, int]]  # split -> class -> images
    # split -> (archive, sub-folder of the archive that holds the class folders);
    # split "*": one archive whose sub-folder holds every split
    archives: dict[str, tuple[Remote, str]]
    # sha256 over the sorted lines "<split>/<class>/<file> <sha256>" of the official files,
    # for archives without a published checksum of their own.
    content_digest: str | None = None
    is_folder = True

    def _counted(self, root: Path) -> dict[str, dict[str, int]]:
        return {
            split: {cls: _count_images(root / split / cls) for cls in classes} for split, classes in self.counts.items()
        }

    def damage(self, path: Path, *, thorough: bool = False) -> str | None:
        found = self._counted(path)
        for split, classes in self.counts.items():
            for cls, expected in classes.items():
                if found[split][cls] < expected:
                    return f"{path / split / cls} holds {found[split][cls]} images, expected {expected}"
        if thorough and self.content_digest is not None:
            digest = content_digest(path, self.counts)
            if digest != self.content_digest:
                return f"the images in {path} are not the official ones (content digest {digest})"
        return None

    def open(self, path: Path, origin: str, **options) -> FolderDataset:
        classes = tuple(sorted(next(iter(self.counts.values()))))
        return FolderDataset(self.name, path, path / "train", path / "validation", classes, self._counted(path))

    def fetch(self, store: Store, target: Path) -> None:
        downloads = store.cache / DOWNLOADS
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            for split, (remote, inner) in self.archives.items():
                archive = store.download(remote, downloads, what=f"{self.name} {remote.filename}")
                unpacked = safe_extract_zip(archive, staging / "unpacked" / split)
                source = unpacked / inner if inner else unpacked
                for sub in self.counts if split == "*" else [None]:
                    shutil.move(str(source / sub if sub else source), str(staging / (sub or split)))
            shutil.rmtree(staging / "unpacked")
            problem = self.damage(staging, thorough=True)
            if problem is not None:
                raise ChecksumError(
                    f"{self.name}: the official archives did not unpack into the expected images: "
                    f"{problem}. Nothing was kept. Next step: delete the archives in {downloads} "
                    f"and run the cell again."
                )
            staging.replace(target)
            for remote, _ in self.archives.values():
                (downloads / remote.filename).unlink(missing_ok=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def import_tfds(what: str):
    """``import tensorflow_datasets``, or DataUnavailableError saying what failed and what to do."""
    try:
        import tensorflow_datasets as tfds

        missing = [name for name in ("load", "builder") if not hasattr(tfds, name)]
        if missing:  # the import logged an error (a protobuf version clash, say) and left a partial module
            raise ImportError(f"the module has no {' or '.join(missing)}; see the error it logged above")
    except Exception as exc:  # ImportError, or a version clash inside its dependencies (protobuf)
        raise DataUnavailableError(
            f"Could not get {what}: the package tensorflow-datasets cannot be imported here "
            f"({type(exc).__name__}: {exc}).\n"
            f"Next step: upgrade tensorflow-datasets and the package the error names (for example "
            f"`%pip install -U tensorflow-datasets protobuf` in a cell), restart the kernel and run "
            f"the notebook again. Sections that do not use tensorflow-datasets run without it."
        ) from None
    return tfds


_VERSION = re.compile(r"\d+\.\d+\.\d+")


@dataclass(frozen=True)
class TfdsDataset(Asset):
    """A dataset of tensorflow-datasets, prepared by it under ``tensorflow_datasets/<name>/<version>/``.

    tensorflow-datasets checks its downloads against its own registered checksums.
    In the cache, ``open`` lets it download what is missing; the mirror builder
    prepares it in a temporary folder and moves it into place once complete.
    """

    is_folder = True
    downloads_on_open = True

    def present(self, path: Path) -> bool:
        return path.is_dir() and any(
            _VERSION.fullmatch(p.name) and (p / "dataset_info.json").is_file() for p in path.iterdir()
        )

    def damage(self, path: Path, *, thorough: bool = False) -> str | None:
        if not thorough:
            return None
        try:
            _ = import_tfds(self.name).builder(self.key, data_dir=str(path.parent)).info  # raises when unreadable
        except Exception as exc:
            return f"tensorflow-datasets cannot read {path} ({exc})"
        return None

    def open(self, path: Path, origin: str, **options):
        what = f"the tensorflow-datasets dataset '{self.key}'"
        tfds = import_tfds(what)
        options.setdefault("as_supervised", True)
        try:
            return tfds.load(self.key, data_dir=str(path.parent), download=origin == "cache", **options)
        except Exception as exc:  # tfds raises many kinds when offline
            raise DataUnavailableError(
                offline_message(what, f"https://www.tensorflow.org/datasets/catalog/{self.key}", exc, path.parents[1])
            ) from None

    def fetch(self, store: Store, target: Path) -> None:
        tfds = import_tfds(f"the tensorflow-datasets dataset '{self.key}'")
        staging = Path(tempfile.mkdtemp(prefix=f".tfds-{self.key}-", dir=store.cache))
        try:
            builder = tfds.builder(self.key, data_dir=str(staging / "data"))
            builder.download_and_prepare(download_dir=str(staging / "downloads"))
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / "data" / self.key).replace(target)
        except DataUnavailableError:
            raise
        except Exception as exc:
            raise DataUnavailableError(f"tensorflow-datasets could not prepare {self.key}: {exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- #
# The store
# --------------------------------------------------------------------------- #


class _Environment:
    """A Store's default mirror and cache: the folders that the environment names, read at each use."""

    def __repr__(self) -> str:
        return "ENVIRONMENT"


ENVIRONMENT = _Environment()


class Store:
    """Resolves the assets of a catalogue through the offline mirror, the cache and the official download.

    ``mirror`` and ``cache`` default to the folders named by the environment
    (``COURSE_DATA_DIR``, ``COURSE_CACHE_DIR``), read at each use; pass folders
    (``mirror=None``: no mirror) to work elsewhere, as the mirror builder and
    the tests do.
    """

    def __init__(self, catalogue: Iterable[Asset], *, mirror=ENVIRONMENT, cache=ENVIRONMENT):
        self.assets = {asset.key: asset for asset in catalogue}
        self._mirror, self._cache = mirror, cache

    @property
    def mirror(self) -> Path | None:
        if self._mirror is ENVIRONMENT:
            return mirror_dir()
        return None if self._mirror is None else Path(self._mirror)

    @property
    def cache(self) -> Path:
        if self._cache is ENVIRONMENT:
            return cache_dir()
        Path(self._cache).mkdir(parents=True, exist_ok=True)
        return Path(self._cache)

    def asset(self, key: str | Asset) -> Asset:
        if isinstance(key, Asset):
            return key
        if key not in self.assets:
            raise ValueError(f"Unknown asset {key!r}; the catalogue holds {', '.join(self.assets)}.")
        return self.assets[key]

    def download(self, remote: Remote, folder: Path, *, what: str) -> Path:
        return download(remote, folder, what=what, cache=self.cache)

    def load(self, key: str | Asset, **options):
        """The asset read from the mirror, else the cache, else fetched into the cache (see the module's docstring)."""
        asset = self.asset(key)
        mirror = self.mirror
        if mirror is not None:
            path = mirror / asset.path
            if asset.present(path):
                listed = None if asset.is_folder else read_manifest(mirror).get(asset.path)
                if listed is not None:
                    problem = (
                        None
                        if file_hash(path) == listed
                        else (f"{path} does not match the sha256 listed in {mirror / MANIFEST}")
                    )
                else:
                    problem = asset.damage(path)
                return self._open(asset, path, "mirror", problem, options)
            slash = "/" if asset.is_folder else ""
            print(
                f"Note: the offline mirror {mirror} does not hold {asset.name} (no {asset.path}{slash}); "
                f"using the cache or the official download instead."
            )
        path = self.cache / asset.path
        if not asset.downloads_on_open:
            self.ensure(asset, thorough=False)
        return self._open(asset, path, "cache", None, options)

    def _open(self, asset: Asset, path: Path, origin: str, problem: str | None, options: dict):
        if problem is None:
            try:
                return asset.open(path, origin, **options)
            except Damaged as exc:
                problem = str(exc)
        fix = (
            f"copy {asset.path} into the mirror again, or unset {MIRROR_ENV} to download it"
            if origin == "mirror"
            else f"delete {path} so that it is fetched again"
        )
        raise ChecksumError(
            f"{asset.name}: the copy in the {'offline mirror' if origin == 'mirror' else 'cache'} "
            f"is damaged or incomplete: {problem}.\nNext step: {fix}."
        )

    def ensure(self, key: str | Asset, *, thorough: bool = True, say: Callable[[str], None] = print) -> str:
        """Make sure a verified copy of the asset is in the cache folder; return what was done, in a few words.

        A copy that fails its check is removed (``say`` tells why) and fetched again.
        """
        asset = self.asset(key)
        path = self.cache / asset.path
        if asset.present(path):
            problem = asset.damage(path, thorough=thorough)
            if problem is None:
                return "kept (verified)"
            say(f"Note: the copy of {asset.name} in {path} is damaged or incomplete ({problem}); fetching it again.")
            remove(path)
        asset.fetch(self, path)
        return "downloaded and verified"
