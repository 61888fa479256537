"""The environments the course installs: the lock, Colab's versions, the floors, the home.

pyproject.toml is the one list of dependencies; requirements-lock.txt pins the
versions `make lab` and `make test` install; colab/pip-freeze.txt is Colab's own
list, on which `make test-colab` runs the suite. These tests keep the three in
agreement, so a changed dependency cannot go untested.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tools.notebooks import BOOTSTRAP, BOOTSTRAP_PIP, COLAB_LINK, HOME

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
LOCK = ROOT / "requirements-lock.txt"
COLAB = ROOT / "colab" / "pip-freeze.txt"
LOCKED_EXTRAS = ("lab", "test")  # what `make lab` and `make test` install
# What `make browser-check` and `make book` add on top, outside both tested environments.
UNLOCKED_EXTRAS = ("browser", "book")


def requirements(*extras: str) -> list[Requirement]:
    found = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return found


def pins(text: str) -> dict[str, tuple[Version, str]]:
    """{name: (version, marker)} for each ``name==version`` line of a requirements file."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            found[canonicalize_name(match[1])] = (Version(match[2]), (match[3] or "").strip())
    return found


def lock_entries() -> dict[str, str]:
    """{name: its block of lines} in the lock: the pin, its hashes, the ``# via`` lines."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    return {canonicalize_name(re.match(r"[A-Za-z0-9._-]+", b)[0]): b for b in blocks if "==" in b.split("\n")[0]}


LOCKED = pins(LOCK.read_text())
COLAB_PINS = pins(COLAB.read_text())


def lower_bound(req: Requirement) -> Version | None:
    bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    return max(bounds) if bounds else None


# ----------------------------------------------------------------- the lock


def test_every_dependency_is_locked_at_a_version_pyproject_allows():
    for req in requirements(*LOCKED_EXTRAS):
        name = canonicalize_name(req.name)
        assert name in LOCKED, f"{req.name} is in pyproject.toml but not in the lock: run `make lock`"
        version = LOCKED[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"the lock pins {req.name}=={version}, which pyproject.toml's {req} excludes: run `make lock`"
        )


def test_the_lock_has_no_dependency_that_pyproject_dropped():
    direct = {canonicalize_name(r.name) for r in requirements(*LOCKED_EXTRAS)}
    claimed = {name for name, block in lock_entries().items() if "cnn-course-helpers (pyproject.toml)" in block}
    assert claimed == direct, (
        "the lock was written for other dependencies than pyproject.toml's: run `make lock` "
        f"(only in the lock: {sorted(claimed - direct)}; only in pyproject: {sorted(direct - claimed)})"
    )


def test_every_locked_file_is_pinned_by_hash():
    entries = lock_entries()
    assert len(entries) == len(LOCKED) > 50
    for name, block in entries.items():
        assert "--hash=sha256:" in block, f"{name} has no hash in the lock"


# ----------------------------------------------------------------- floors and Colab


def colab_tested() -> set[str]:
    """The packages `make test-colab` installs at Colab's version (COLAB_PACKAGES in the Makefile)."""
    makefile = (ROOT / "Makefile").read_text()
    names = re.search(r"^COLAB_PACKAGES :=((?:.*\\\n)*.*)$", makefile, re.MULTILINE)[1]
    return {canonicalize_name(n) for n in names.replace("\\", " ").split()}


def test_every_floor_is_a_tested_version():
    """Each lower bound is the version Colab has or the locked one: a version the suite ran on."""
    on_colab = colab_tested()
    assert {"tensorflow", "keras", "ipywidgets", "ipykernel"} <= on_colab
    unlocked = {canonicalize_name(r.name) for r in requirements(*UNLOCKED_EXTRAS)} - {
        canonicalize_name(r.name) for r in requirements(*LOCKED_EXTRAS)
    }
    for req in requirements(*PROJECT["optional-dependencies"]):
        floor = lower_bound(req)
        assert floor is not None, f"{req} has no lower bound"
        name = canonicalize_name(req.name)
        tested = {LOCKED[name][0]} if name in LOCKED else set()
        if name in on_colab and name in COLAB_PINS:
            tested.add(COLAB_PINS[name][0])
        if name in unlocked:
            continue  # `make browser-check` and `make book`, outside both test environments (docs/maintainers.md)
        assert floor in tested, (
            f"the floor of {req} was not tested: Colab has {COLAB_PINS.get(name, ('-',))[0]}, "
            f"the lock {LOCKED.get(name, ('-',))[0]}"
        )


def test_colab_has_every_runtime_dependency_at_a_version_pyproject_allows():
    """So the first cell's `pip install --no-deps` leaves nothing missing on Colab."""
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in COLAB_PINS, f"Colab has no {req.name}: the first cell's --no-deps would leave it out"
        version = COLAB_PINS[name][0]
        assert req.specifier.contains(version), f"Colab has {req.name} {version}, outside {req}"


def test_the_bootstrap_installs_nothing_but_the_helpers():
    assert "--no-deps" in BOOTSTRAP_PIP.split()
    assert f"%pip install {BOOTSTRAP_PIP}\n" in BOOTSTRAP + "\n"
    makefile = (ROOT / "Makefile").read_text()
    install = re.search(r"^test-colab:.*\n\t(.*pip install.*)$", makefile, re.MULTILINE)
    assert install and "--no-deps" in install[1].split(), "make test-colab must install as the first cell does"


def test_colab_list_is_the_published_one():
    text = COLAB.read_text()
    assert "python3 -m pip freeze" in text.splitlines()[1]
    assert COLAB_PINS["tensorflow"][0] >= Version("2.20") and "ipywidgets" in COLAB_PINS


# ----------------------------------------------------------------- packaging


def test_one_version_number():
    import helpers

    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "helpers.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", helpers.__version__)


def test_license_is_an_spdx_expression():
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_readme_colab_links_point_at_the_course_home():
    readme = (ROOT / "README.md").read_text()
    homes = set(COLAB_LINK.findall(readme))
    assert homes == {HOME}, f"README's Colab links point at {homes}; run `python -m tools.notebooks home`"
    assert f'git+https://github.com/{HOME}"' in BOOTSTRAP
