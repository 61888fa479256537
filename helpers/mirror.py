"""Build an offline data folder (a mirror) for classrooms without internet.

    python -m helpers.mirror build /srv/course-data     download, verify, write MANIFEST.sha256
    python -m helpers.mirror build DIR --only mnist fashion-mnist
    python -m helpers.mirror verify /srv/course-data    check every file against the manifest
    python -m helpers.mirror list                       what can go into a mirror, and its size
    make mirror MIRROR=/srv/course-data                 the same as the first line

Run ``build`` on a connected machine, copy the folder to every lab machine and
set ``COURSE_DATA_DIR`` to the copy: the loaders in ``helpers.data`` then read
it and download nothing.

The build is a loop over ``helpers.data.CATALOGUE``, through the same store the
notebooks use (``helpers.store``): every file comes from its official address and
is checked against its published checksum (or exact size and content digest
where no checksum is published); the folder layout is the one the loaders read. Each dataset is written under
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
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from . import data
from .store import DOWNLOADS, MANIFEST, Asset, DataUnavailableError, Store, file_hash, read_manifest, remove


class MirrorError(RuntimeError):
    """The mirror could not be built completely; the message says what failed and what to do."""


# --------------------------------------------------------------------------- #
# The manifest
# --------------------------------------------------------------------------- #


def _mirror_files(mirror: Path) -> list[str]:
    """Relative paths of the mirror's data files: not the manifest, work folders or partial files."""
    names = []
    for path in sorted(mirror.rglob("*")):
        relative = path.relative_to(mirror)
        if (
            path.is_file()
            and relative.parts[0] not in {MANIFEST, DOWNLOADS}
            and not any(part.startswith(".") for part in relative.parts)
            and not path.name.endswith(".part")
        ):
            names.append(relative.as_posix())
    return names


def write_manifest(mirror: Path) -> int:
    """Write MANIFEST.sha256 (sorted, ``sha256sum`` format) atomically; return the number of files."""
    entries = [(file_hash(mirror / name), "./" + name) for name in _mirror_files(mirror)]
    partial = mirror / (MANIFEST + ".part")
    partial.write_text("".join(f"{digest}  {name}\n" for digest, name in entries), encoding="utf-8")
    partial.replace(mirror / MANIFEST)
    return len(entries)


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
        elif file_hash(path) != digest:
            problems.append(f"changed: {relative}")
    return problems


def unlisted(mirror: Path) -> list[str]:
    """Files of the mirror that its manifest does not list (``verify`` does not check them)."""
    listed = read_manifest(mirror)
    return [name for name in _mirror_files(mirror) if name not in listed]


def _drop_damaged(mirror: Path, chosen: Sequence[Asset]) -> list[str]:
    """Before a rebuild: remove chosen entries whose files no longer match the previous manifest."""
    listed = read_manifest(mirror)
    dropped = []
    for asset in chosen:
        target = mirror / asset.path
        if not target.exists():
            continue
        files = {
            rel: digest
            for rel, digest in listed.items()
            if rel == asset.path or rel.startswith(asset.path.rstrip("/") + "/")
        }
        bad = [
            rel for rel, digest in files.items() if not (mirror / rel).is_file() or file_hash(mirror / rel) != digest
        ]
        if bad:
            remove(target)
            dropped.append(
                f"{asset.key}: {len(bad)} file(s) no longer match the manifest (first: {bad[0]}); fetching it again"
            )
    return dropped


# --------------------------------------------------------------------------- #
# The build
# --------------------------------------------------------------------------- #


def build(
    mirror: Path, names: list[str] | None = None, *, log=print, catalogue: Sequence[Asset] = data.CATALOGUE
) -> int:
    """Build (or complete) a mirror in ``mirror``; return the number of files in its manifest.

    ``names`` chooses entries of ``catalogue`` by key; all by default. Raises
    MirrorError, after trying every entry, when any could not be built: the
    folder then has no manifest, and the entries that failed are absent (never
    half-written).
    """
    known = {asset.key: asset for asset in catalogue}
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise MirrorError(f"Unknown item(s) {', '.join(unknown)}; choose from: {', '.join(known)}")
        chosen = [asset for asset in catalogue if asset.key in names]
    else:
        chosen = list(catalogue)

    mirror = Path(mirror).expanduser().resolve()
    mirror.mkdir(parents=True, exist_ok=True)
    for line in _drop_damaged(mirror, chosen):
        log(line)
    (mirror / MANIFEST).unlink(missing_ok=True)  # rewritten below once everything is in place

    # The mirror is built as a cache is filled: archives go to <mirror>/downloads, are checked,
    # unpacked into a temporary folder and renamed into place only when everything is there.
    store = Store(chosen, mirror=None, cache=mirror)
    failures = []
    for asset in chosen:
        try:
            outcome = store.ensure(asset, say=log)
            log(f"{asset.key:<24} {outcome}")
        except (DataUnavailableError, OSError) as exc:
            failures.append(asset.key)
            log(f"{asset.key:<24} FAILED: {exc}")
    for leftover in mirror.glob(".*"):  # staging folders of failed items
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):  # empty once every archive was unpacked
        for folder in sorted((mirror / DOWNLOADS).rglob("*"), reverse=True) + [mirror / DOWNLOADS]:
            if folder.is_dir():
                folder.rmdir()

    if failures:
        names_failed = ", ".join(failures)
        kept = (
            f" Verified archives already downloaded are kept in {mirror / DOWNLOADS} and reused."
            if (mirror / DOWNLOADS).is_dir()
            else ""
        )
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
    parser = argparse.ArgumentParser(
        prog="python -m helpers.mirror", description="Build or check an offline course data folder."
    )
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
        for asset in data.CATALOGUE:
            print(f"{asset.key:<24} {asset.size:>10}  {asset.path}")
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

    names = args.only or [asset.key for asset in data.CATALOGUE]
    names = [n for n in names if n not in set(args.skip)]
    try:
        count = build(args.folder, names)
    except MirrorError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    folder = args.folder.expanduser().resolve()
    print(f"\n{folder}: {count} files, {_size_of(folder) / 1e6:,.0f} MB, listed in {MANIFEST}.")
    print(
        f"Copy the folder to each lab machine and set COURSE_DATA_DIR to the copy, e.g.\n"
        f"    export COURSE_DATA_DIR={folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
