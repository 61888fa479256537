"""helpers.start() names a missing or too old dependency instead of failing later with a traceback."""

from __future__ import annotations

from importlib import metadata

from helpers import notebook


def _fake_metadata(monkeypatch, requires: list[str], installed: dict[str, str]):
    def fake_requires(name):
        if name != "cnn-course-helpers":
            raise metadata.PackageNotFoundError(name)
        return requires

    def fake_version(name):
        if name not in installed:
            raise metadata.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(metadata, "requires", fake_requires)
    monkeypatch.setattr(metadata, "version", fake_version)


def test_missing_and_outdated_dependencies_are_named_with_the_fix(monkeypatch):
    _fake_metadata(
        monkeypatch,
        ["numpy>=2.1.3", "seaborn>=0.13.2", "tqdm>=4.67.3", 'pytest>=8; extra == "test"'],
        {"numpy": "1.26.4", "tqdm": "4.67.3"},
    )
    assert notebook.dependency_problems() == [
        "Too old or too new: numpy 1.26.4; the course is tested with numpy>=2.1.3. "
        'Install it with: %pip install "numpy>=2.1.3", then restart the kernel.',
        'Missing: seaborn, which the course needs. Install it with: %pip install "seaborn>=0.13.2"',
    ]


def test_nothing_to_say_when_all_is_installed(monkeypatch):
    _fake_metadata(monkeypatch, ["numpy>=2.1.3"], {"numpy": "2.4.6"})
    assert notebook.dependency_problems() == []


def test_nothing_to_say_when_the_helpers_are_not_installed(monkeypatch):
    _fake_metadata(monkeypatch, [], {})
    assert notebook.dependency_problems(package="not-installed-here") == []


def test_this_environment_meets_the_course_requirements():
    """Where the course is installed (make test, make test-colab), every dependency is there and in range."""
    assert notebook.dependency_problems() == []
