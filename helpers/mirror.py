"""Build an offline data folder (a mirror) for classrooms without internet.

    python -m helpers.mirror build /srv/course-data     download, verify, write MANIFEST.sha256
    python -m helpers.mirror build DIR --only mnist fashion-mnist
    python -m helpers.mirror verify /srv/course-data    check every file against the manifest
    python -m helpers.mirror list                       what can go into a mirror, and its size
    make mirror MIRROR=/srv/course-data                 the same as the first line

Run ``build`` on a connected machine, copy the folder to every lab machine and
set ``COURSE_DATA_DIR`` to the copy: the loaders in ``helpers.data`` then read
it and download nothing.

Every file comes from its official address and is checked against its
published checksum (or exact size and content digest where no checksum is
published) by ``helpers.data.download``, the same code the notebooks use; the
folder layout is the one ``helpers.data`` reads. Each dataset is written under
a temporary name and renamed only once complete and verified, so a damaged or
interrupted download never leaves a dataset that looks complete. The manifest
(``MANIFEST.sha256``, ``sha256sum -c`` format) is written last and only when
every requested item was built: a folder without one is incomplete.

Running ``build`` again is safe: what is already there and verified is kept
(nothing is downloaded twice), anything missing or damaged is fetched again,
and the manifest is rewritten with the same content.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import data

MANIFEST = "MANIFEST.sha256"
DOWNLOADS = "downloads"  # verified archives while a build runs; removed when it succeeds


@dataclass(frozen=True)
class Item:
    """One thing a mirror can hold: its name, where it lives in the mirror, and how to build it."""

    name: str
    path: str  # file or folder, relative to the mirror
    size: str  # approximate size on disk, for the listing
    build: Callable[[Path], str]  # builds into the mirror; returns what it did, in a few words


class MirrorError(RuntimeError):
    """The mirror could not be built completely; the message says what failed and what to do."""


# --------------------------------------------------------------------------- #
# Building each item
# --------------------------------------------------------------------------- #


@contextlib.contextmanager
def _cache_at(folder: Path):
    """Let the helpers.data functions that work in the cache work in ``folder`` instead."""
    saved = os.environ.get(data.CACHE_ENV)
    os.environ[data.CACHE_ENV] = str(folder)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(data.CACHE_ENV, None)
        else:
            os.environ[data.CACHE_ENV] = saved


def _build_mnist(mirror: Path) -> str:
    existed = (mirror / data.MNIST_REMOTE.filename).is_file()
    # download() keeps a present copy whose checksum matches, and replaces one that does not.
    path = data.download(data.MNIST_REMOTE, mirror, what="MNIST")
    data._read_npz(path, "MNIST", "mirror")
    return "kept (checksum verified)" if existed else "downloaded and verified"


def _write_npz(target: Path, arrays: dict[str, np.ndarray], name: str) -> None:
    """Write a compressed npz under a temporary name, check it, then rename it into place."""
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        data._read_npz(partial, name, "mirror")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _build_fashion_mnist(mirror: Path) -> str:
    target = mirror / "fashion-mnist.npz"
    if target.is_file():
        data._read_npz(target, "Fashion-MNIST", "mirror")  # raises if it is damaged
        return "kept (readable; checked against the manifest before the build)"
    folder = mirror / DOWNLOADS / "fashion-mnist"
    y_train, x_train, y_test, x_test = (
        data._read_idx(data.download(remote, folder, what=f"Fashion-MNIST {remote.filename}"))
        for remote in data.FASHION_REMOTES
    )
    _write_npz(target, {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test},
               "Fashion-MNIST")
    shutil.rmtree(folder)
    return "downloaded, verified and converted to fashion-mnist.npz"


def _folder_builder(spec_name: str) -> Callable[[Path], str]:
    def build(mirror: Path) -> str:
        spec = getattr(data, spec_name)  # looked up at build time (the tests replace it)
        root = mirror / spec.folder
        if root.is_dir():
            data._check_folders(spec, root, "mirror")
            if spec.content_digest is not None:
                found = data._content_digest(root, spec.counts)
                if found != spec.content_digest:
                    raise data.ChecksumError(
                        f"{spec.name}: the images in {root} are not the official ones "
                        f"(content digest {found}). Delete {root} and run the build again.")
            return "kept (image counts checked)"
        with _cache_at(mirror):
            # Downloads into <mirror>/downloads, checks, unpacks into a temporary folder
            # and renames it to <mirror>/<folder> only when everything is there.
            data._fetch_folders(spec, root)
        return "downloaded, verified and unpacked"

    return build


def _weights_builder(architecture: str, include_top: bool) -> Callable[[Path], str]:
    def build(mirror: Path) -> str:
        remote = data.APPLICATION_WEIGHTS[architecture][include_top]
        existed = (mirror / "keras-weights" / remote.filename).is_file()
        data.download(remote, mirror / "keras-weights", what=f"{architecture} ImageNet weights")
        return "kept (checksum verified)" if existed else "downloaded and verified"

    return build


def _class_index_builder(mirror: Path) -> str:
    remote = data.IMAGENET_CLASS_INDEX
    existed = (mirror / "keras-weights" / remote.filename).is_file()
    data.download(remote, mirror / "keras-weights", what="ImageNet class names")
    return "kept (checksum verified)" if existed else "downloaded and verified"


def _tfds_builder(name: str) -> Callable[[Path], str]:
    def build(mirror: Path) -> str:
        import tensorflow_datasets as tfds

        data_dir = mirror / "tensorflow_datasets"
        if (data_dir / name).is_dir():
            # tfds writes its folder only once the dataset is prepared; check it is readable.
            tfds.builder(name, data_dir=str(data_dir)).info  # noqa: B018 (raises when unreadable)
            return "kept"
        staging = Path(tempfile.mkdtemp(prefix=f".tfds-{name}-", dir=mirror))
        try:
            # tensorflow-datasets verifies its downloads against its own registered checksums.
            builder = tfds.builder(name, data_dir=str(staging / "data"))
            builder.download_and_prepare(download_dir=str(staging / "downloads"))
            data_dir.mkdir(exist_ok=True)
            (staging / "data" / name).replace(data_dir / name)
        except Exception as exc:
            raise data.DataUnavailableError(
                f"tensorflow-datasets could not prepare {name}: {exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return "downloaded and prepared by tensorflow-datasets (its checksums verified)"

    return build


def items() -> list[Item]:
    """Everything a mirror can hold, in build order (all of it by default)."""
    found = [
        Item("mnist", "mnist.npz", "11 MB", _build_mnist),
        Item("fashion-mnist", "fashion-mnist.npz", "31 MB", _build_fashion_mnist),
        Item("horses-or-humans", data.HORSES_OR_HUMANS.folder, "150 MB",
             _folder_builder("HORSES_OR_HUMANS")),
        Item("cats-and-dogs", data.CATS_AND_DOGS.folder, "68 MB", _folder_builder("CATS_AND_DOGS")),
    ]
    for architecture, files in data.APPLICATION_WEIGHTS.items():
        for include_top in (True, False):
            suffix = "" if include_top else "-notop"
            found.append(Item(f"weights-{architecture}{suffix}",
                              f"keras-weights/{files[include_top].filename}", "80-100 MB",
                              _weights_builder(architecture, include_top)))
    found.append(Item("imagenet-class-names", f"keras-weights/{data.IMAGENET_CLASS_INDEX.filename}", "40 KB",
                      _class_index_builder))
    found.append(Item("tf_flowers", "tensorflow_datasets/tf_flowers", "220 MB", _tfds_builder("tf_flowers")))
    return found


# --------------------------------------------------------------------------- #
# The manifest
# --------------------------------------------------------------------------- #


def _mirror_files(mirror: Path) -> list[str]:
    """Relative paths of the mirror's data files: not the manifest, work folders or partial files."""
    names = []
    for path in sorted(mirror.rglob("*")):
        relative = path.relative_to(mirror)
        if (path.is_file() and relative.parts[0] not in {MANIFEST, DOWNLOADS}
                and not any(part.startswith(".") for part in relative.parts)
                and not path.name.endswith(".part")):
            names.append(relative.as_posix())
    return names


def write_manifest(mirror: Path) -> int:
    """Write MANIFEST.sha256 (sorted, ``sha256sum`` format) atomically; return the number of files."""
    entries = [(data.file_hash(mirror / name), "./" + name) for name in _mirror_files(mirror)]
    partial = mirror / (MANIFEST + ".part")
    partial.write_text("".join(f"{digest}  {name}\n" for digest, name in entries), encoding="utf-8")
    partial.replace(mirror / MANIFEST)
    return len(entries)


def read_manifest(mirror: Path) -> dict[str, str]:
    """relative path (without ./) -> sha256, from the mirror's manifest (empty when there is none)."""
    path = mirror / MANIFEST
    if not path.is_file():
        return {}
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            listed[parts[1].strip().removeprefix("./")] = parts[0].lower()
    return listed


def verify(mirror: Path) -> list[str]:
    """Files listed in the manifest that are missing or changed (empty list: all good)."""
    listed = read_manifest(mirror)
    if not listed:
        return [f"{mirror / MANIFEST} is missing or empty: the build did not finish"]
    problems = []
    for relative, digest in listed.items():
        path = mirror / relative
        if not path.is_file():
            problems.append(f"missing: {relative}")
        elif data.file_hash(path) != digest:
            problems.append(f"changed: {relative}")
    return problems


def unlisted(mirror: Path) -> list[str]:
    """Files of the mirror that its manifest does not list (the loaders do not check them)."""
    listed = read_manifest(mirror)
    return [name for name in _mirror_files(mirror) if name not in listed]


def _drop_damaged(mirror: Path, chosen: list[Item]) -> list[str]:
    """Before a rebuild: remove chosen items whose files no longer match the previous manifest."""
    listed = read_manifest(mirror)
    dropped = []
    for item in chosen:
        target = mirror / item.path
        if not target.exists():
            continue
        files = {rel: digest for rel, digest in listed.items()
                 if rel == item.path or rel.startswith(item.path.rstrip("/") + "/")}
        bad = [rel for rel, digest in files.items()
               if not (mirror / rel).is_file() or data.file_hash(mirror / rel) != digest]
        if bad:
            shutil.rmtree(target) if target.is_dir() else target.unlink()
            dropped.append(f"{item.name}: {len(bad)} file(s) no longer match the manifest "
                           f"(first: {bad[0]}); fetching it again")
    return dropped


# --------------------------------------------------------------------------- #
# The build
# --------------------------------------------------------------------------- #


def build(mirror: Path, names: list[str] | None = None, *, log=print) -> int:
    """Build (or complete) a mirror in ``mirror``; return the number of files in its manifest.

    ``names`` chooses items (see ``items()``); all by default. Raises MirrorError,
    after trying every item, when any could not be built: the folder then has no
    manifest, and the items that failed are absent (never half-written).
    """
    every = items()
    known = {item.name: item for item in every}
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise MirrorError(f"Unknown item(s) {', '.join(unknown)}; choose from: {', '.join(known)}")
        chosen = [item for item in every if item.name in names]
    else:
        chosen = every

    mirror = Path(mirror).expanduser().resolve()
    mirror.mkdir(parents=True, exist_ok=True)
    for line in _drop_damaged(mirror, chosen):
        log(line)
    (mirror / MANIFEST).unlink(missing_ok=True)  # rewritten below once everything is in place

    failures = []
    for item in chosen:
        try:
            outcome = item.build(mirror)
            log(f"{item.name:<24} {outcome}")
        except (data.DataUnavailableError, OSError) as exc:
            failures.append((item, exc))
            log(f"{item.name:<24} FAILED: {exc}")
    for leftover in mirror.glob(".*"):  # staging folders of failed items
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):  # empty once every archive was unpacked
        for folder in sorted((mirror / DOWNLOADS).rglob("*"), reverse=True) + [mirror / DOWNLOADS]:
            if folder.is_dir():
                folder.rmdir()

    if failures:
        names_failed = ", ".join(item.name for item, _ in failures)
        kept = (f" Verified archives already downloaded are kept in {mirror / DOWNLOADS} and reused."
                if (mirror / DOWNLOADS).is_dir() else "")
        raise MirrorError(
            f"Not built: {names_failed}. The folder {mirror} is incomplete and has no {MANIFEST}; "
            f"those items are absent, not half-written.{kept} Next step: check the connection and "
            f"run the same command again; it keeps what is already there."
        )
    count = write_manifest(mirror)
    return count


def _size_of(mirror: Path) -> int:
    return sum(p.stat().st_size for p in mirror.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.mirror",
                                     description="Build or check an offline course data folder.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="download, verify and write a mirror (or complete one)")
    b.add_argument("folder", type=Path)
    b.add_argument("--only", nargs="+", metavar="ITEM", help="build only these items (see: list)")
    b.add_argument("--skip", nargs="+", metavar="ITEM", default=[], help="leave these items out")
    v = sub.add_parser("verify", help="check every file of a mirror against its manifest")
    v.add_argument("folder", type=Path)
    sub.add_parser("list", help="what a mirror can hold")
    args = parser.parse_args(argv)

    if args.command == "list":
        for item in items():
            print(f"{item.name:<24} {item.size:>10}  {item.path}")
        return 0
    if args.command == "verify":
        problems = verify(args.folder)
        for problem in problems:
            print(problem)
        for name in unlisted(args.folder):
            print(f"note: not listed in {MANIFEST} (not checked): {name}")
        if not problems:
            print(f"{args.folder}: all {len(read_manifest(args.folder))} files match {MANIFEST}")
        return 1 if problems else 0

    names = args.only or [item.name for item in items()]
    names = [n for n in names if n not in set(args.skip)]
    try:
        count = build(args.folder, names)
    except MirrorError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    folder = args.folder.expanduser().resolve()
    print(f"\n{folder}: {count} files, {_size_of(folder) / 1e6:,.0f} MB, listed in {MANIFEST}.")
    print(f"Copy the folder to each lab machine and set COURSE_DATA_DIR to the copy, e.g.\n"
          f"    export COURSE_DATA_DIR={folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
