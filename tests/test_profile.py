"""The run profile is read in one place and sizes everything, for the hardware it finds."""

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from helpers.profile import ProfileError, RunProfile, detect_accelerator, get_profile
from helpers.repro import seed_everything

ROOT = Path(__file__).resolve().parent.parent
CPU = SimpleNamespace(device_type="CPU", name="/physical_device:CPU:0")
GPU = SimpleNamespace(device_type="GPU", name="/physical_device:GPU:0")


def test_full_is_the_default(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    profile = get_profile()
    assert profile.name == "full" and profile.is_full and not profile.is_fast
    assert profile.pick(full=10, fast=1) == 10


def test_fast_profile_picks_fast_values_and_cuts_arrays_together(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", " FAST ")
    profile = get_profile()
    assert profile.pick(full=(300, 300), fast=(150, 150)) == (150, 150)
    x, y = profile.take(np.arange(100), np.arange(100) * 2, fast=7)
    assert len(x) == len(y) == 7 and y[-1] == 12
    assert "fast" in profile.describe()


def test_full_profile_keeps_arrays_whole(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    (x,) = get_profile().take(np.arange(100), fast=7)
    assert len(x) == 100


def test_unknown_profile_is_refused_with_the_valid_names(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    with pytest.raises(ProfileError, match="full, fast"):
        get_profile()


def test_seed_everything_makes_numpy_and_tensorflow_repeatable():
    import keras

    seed_everything(7)
    a = np.random.rand(3), keras.random.uniform((3,)).numpy()
    seed_everything(7)
    b = np.random.rand(3), keras.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_start_drops_only_the_retracing_warning(capsys):
    import logging

    import helpers

    helpers.start()
    helpers.start()  # twice: the filter is added once
    logger = logging.getLogger("tensorflow")
    from helpers.notebook import _RetracingFilter

    assert sum(isinstance(f, _RetracingFilter) for f in logger.filters) == 1
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning(
            "5 out of the last 9 calls to <function f> triggered tf.function retracing. Tracing is expensive"
        )
        logger.warning("Skipping variable loading for optimizer 'adam'")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["Skipping variable loading for optimizer 'adam'"]


def test_the_seed_comes_from_course_seed_else_42(monkeypatch, capsys):
    from helpers.notebook import seed_from_environment, start

    monkeypatch.delenv("COURSE_SEED", raising=False)
    assert seed_from_environment() == 42
    monkeypatch.setenv("COURSE_SEED", " 7 ")
    assert seed_from_environment() == 7
    start()
    assert "Seed: 7." in capsys.readouterr().out
    first = np.random.random(3)
    start()
    np.testing.assert_array_equal(first, np.random.random(3))
    start(seed=3)  # an explicit seed wins over the environment
    assert "Seed: 3." in capsys.readouterr().out
    monkeypatch.setenv("COURSE_SEED", "forty-two")
    with pytest.raises(ValueError, match="COURSE_SEED must be a whole number"):
        seed_from_environment()


def test_seed_everything_without_a_seed_uses_the_course_seed(monkeypatch):
    import helpers
    from helpers.repro import seed_everything

    monkeypatch.setenv("COURSE_SEED", "7")
    assert helpers.course_seed() == 7
    assert seed_everything() == 7
    drawn = np.random.random(3)
    seed_everything(7)
    np.testing.assert_array_equal(drawn, np.random.random(3))
    monkeypatch.delenv("COURSE_SEED")
    assert seed_everything() == 42
    after_unset = np.random.random(3)
    seed_everything(42)
    np.testing.assert_array_equal(after_unset, np.random.random(3))


def test_no_notebook_reseeds_with_a_fixed_number_between_models():
    """A notebook that reseeds before each model must take the course's seed, or COURSE_SEED would
    change its first model and not the others (06, 08 and 11 used to write 42 themselves)."""
    fixed = re.compile(r"set_random_seed\(\d+\)|seed_everything\(\d+\)|^SEED = \d+", re.MULTILINE)
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                found += [f"{path.name}: {m.group(0)}" for m in fixed.finditer("".join(cell["source"]))]
    assert not found, found


# ----------------------------------------------------------------------------- the device


@pytest.fixture
def no_device_override(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)


def test_detect_accelerator_looks_for_a_gpu_in_the_device_list():
    assert detect_accelerator([CPU]) == "cpu"
    assert detect_accelerator([]) == "cpu"
    assert detect_accelerator([CPU, GPU]) == "gpu"
    assert detect_accelerator([SimpleNamespace(device_type="TPU", name="/physical_device:TPU:0")]) == "cpu"


def test_full_profile_takes_the_gpu_value_only_on_a_gpu():
    on_cpu, on_gpu = RunProfile("full", devices=[CPU]), RunProfile("full", devices=[CPU, GPU])
    assert (on_cpu.device, on_gpu.device) == ("cpu", "gpu")
    assert on_cpu.pick(full=128, gpu=224, fast=96) == 128
    assert on_gpu.pick(full=128, gpu=224, fast=96) == 224
    assert on_gpu.pick(full=10, fast=1) == 10, "without gpu= a GPU changes nothing"
    assert on_gpu.pick(full=10, gpu=None, fast=1) is None, "None is a value like any other"


def test_fast_profile_is_the_same_on_every_device():
    for devices in ([CPU], [CPU, GPU]):
        assert RunProfile("fast", devices=devices).pick(full=128, gpu=224, fast=96) == 96
        assert "sized for" not in RunProfile("fast", devices=devices).describe()
    assert "sized for a CPU (no GPU found)" in RunProfile("full", devices=[CPU]).describe()


def test_the_device_is_found_once_at_first_use_and_get_profile_does_not_ask(monkeypatch, no_device_override):
    import tensorflow as tf

    calls = []

    def simulated(device_type=None):
        calls.append(device_type)
        return [CPU, GPU]

    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setattr(tf.config, "list_physical_devices", simulated)
    profile = get_profile()
    assert calls == [] and profile.pick(full=1, fast=0) == 1, "no device needed, none looked up"
    assert profile.pick(full=128, gpu=224, fast=96) == 224
    assert profile.pick(full=10, gpu=200, fast=1) == 200
    assert len(calls) == 1, "the device is decided once"
    assert "sized for a GPU (found by TensorFlow)" in profile.describe()
    assert get_profile() == profile, "profiles stay comparable values"


def test_get_profile_does_not_import_tensorflow(monkeypatch, no_device_override):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    code = "import sys, helpers; helpers.get_profile().describe(); print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_course_device_overrides_what_tensorflow_finds(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_DEVICE", " GPU ")
    profile = get_profile()
    assert profile.device == "gpu" and profile.pick(full=128, gpu=224, fast=96) == 224
    assert "sized for a GPU (COURSE_DEVICE=gpu)" in profile.describe()
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert get_profile().pick(full=128, gpu=224, fast=96) == 128
    assert "sized for a CPU (COURSE_DEVICE=cpu)" in get_profile().describe()
    assert RunProfile("full", "cpu", devices=[GPU]).device == "cpu", "the override wins over the device list"
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    monkeypatch.setenv("COURSE_DEVICE", "gpu")
    assert get_profile().pick(full=128, gpu=224, fast=96) == 96


@pytest.mark.parametrize("value", ["cuda", "tpu", "GPU:0"])
def test_unknown_device_is_refused_with_the_valid_names(monkeypatch, value):
    monkeypatch.setenv("COURSE_DEVICE", value)
    with pytest.raises(ProfileError, match=r"COURSE_DEVICE=.*Use one of cpu, gpu"):
        get_profile()
    with pytest.raises(ProfileError, match="cpu, gpu"):
        RunProfile("full", value)


# ------------------------------------------- the ImageNet settings of notebooks 12 and 13, by device

NOTEBOOK_SETTINGS = {
    # notebook: {setting: (full on a CPU, full on a GPU, fast anywhere)}
    "12_transfer_learning": {"TRANSFER_SIZE": (128, 224, 96), "IMAGENET_FINE_TUNE_STEPS": (10, 200, 1)},
    "13_your_own_images": {"TRANSFER_SIZE": (160, 224, 96), "FINE_TUNE_EPOCHS": (3, 5, 1)},
}


def settings_cell(stem: str) -> str:
    """The source of the notebook's settings cell: the code cell that sets TRANSFER_SIZE."""
    cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())["cells"]
    found = [
        "".join(c["source"]) for c in cells if c["cell_type"] == "code" and "TRANSFER_SIZE =" in "".join(c["source"])
    ]
    assert len(found) == 1, f"{stem}: one settings cell sets TRANSFER_SIZE"
    return found[0]


@pytest.mark.parametrize("stem", NOTEBOOK_SETTINGS)
def test_notebook_settings_follow_the_simulated_device(stem):
    source = settings_cell(stem)
    assert "list_physical_devices" not in source, "the run profile finds the device, not the notebook"
    runs = {
        "full on a CPU": RunProfile("full", devices=[CPU]),
        "full on a GPU": RunProfile("full", devices=[CPU, GPU]),
        "fast on a GPU": RunProfile("fast", devices=[CPU, GPU]),
    }
    for column, (run, profile) in enumerate(runs.items()):
        namespace = {"PROFILE": profile}  # the settings cell may use nothing else: no tf, no ON_GPU
        exec(compile(source, f"{stem} settings", "exec"), namespace)
        for name, values in NOTEBOOK_SETTINGS[stem].items():
            assert namespace[name] == values[column], f"{stem}, {run}: {name} = {namespace[name]!r}"
