"""Does the input pipeline matter? Time one model on one dataset with two input pipelines.

The model is the three-block horses-or-humans CNN of notebook 08 (conv 16, 32, 64,
each followed by 2 x 2 max pooling, Dense 512, one sigmoid unit; RMSprop, binary
cross-entropy). It is trained twice from the same initial weights, on the same
images, with the same batch size, validation after every epoch:

(a) tf.data: ``keras.utils.image_dataset_from_directory`` -> ``cache()`` ->
    ``shuffle()`` -> ``batch()`` -> ``prefetch()``, with a ``Rescaling(1/255)``
    layer inside the model (the pipeline notebook 08 teaches). The first epoch
    reads and decodes every file and fills the cache; later epochs read memory.
(b) the older ``ImageDataGenerator(rescale=1/255).flow_from_directory(...)``,
    which opens, decodes and resizes every image again in every epoch, in Python
    (PIL), one batch at a time. Here the generator rescales, so the model has no
    ``Rescaling`` layer; otherwise it is the same model.

For each epoch the wall-clock seconds (training and validation) are printed side
by side with their ratio, then the totals. This is a benchmark, not course code:
``ImageDataGenerator`` is deprecated: Keras 3 no longer has it under
``keras.preprocessing.image``, and only ``tf.keras`` (Keras 3's compatibility
namespace in TensorFlow) still provides it, as legacy code. Its deprecation
messages are silenced here.

Usage (from the repository root; run nothing else on the machine meanwhile)::

    python benchmarks/input_pipeline.py --size 300 --epochs 5
    python benchmarks/input_pipeline.py --size 150 --epochs 5
    python benchmarks/input_pipeline.py --data-dir /path/to/horse-or-human   # holds train/ and validation/

Without ``--data-dir`` the images come from ``helpers.data.load_horses_or_humans()``
(the offline mirror named by ``COURSE_DATA_DIR``, the cache, or the official
download). See ``benchmarks/README.md`` for measured results.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's helpers/

from helpers.notebook import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow's C++ start-up lines about missing CUDA drivers go to /dev/null

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.evaluation import EpochTimer  # noqa: E402

SEED = 42
FILTERS = (16, 32, 64)  # the three-block model


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=300, help="image side in pixels (default 300; try 150)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per pipeline (default 5)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default 32)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder with train/ and validation/ class folders (default: helpers.data.load_horses_or_humans())",
    )
    parser.add_argument(
        "--order",
        choices=("tfdata-first", "generator-first"),
        default="tfdata-first",
        help="which pipeline runs first (default tfdata-first)",
    )
    return parser.parse_args(argv)


def data_dir(arg: Path | None) -> Path:
    """The dataset root: the argument, or the course's loader."""
    if arg is not None:
        for split in ("train", "validation"):
            if not (arg / split).is_dir():
                sys.exit(f"{arg} has no {split}/ folder; --data-dir must hold train/ and validation/.")
        return arg
    from helpers.data import load_horses_or_humans

    return load_horses_or_humans().root


def build_model(size: int, *, rescale_inside: bool) -> keras.Model:
    """The three-block CNN; with a Rescaling(1/255) layer first when the pipeline gives raw pixels."""
    layers: list = [keras.Input(shape=(size, size, 3))]
    if rescale_inside:
        layers.append(keras.layers.Rescaling(1 / 255))
    for filters in FILTERS:
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.MaxPooling2D(2)]
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


def tfdata_pipeline(root: Path, size: int, batch_size: int):
    """(train, validation) tf.data pipelines: decode once, cache, shuffle each epoch, batch, prefetch."""

    def load(split: str, shuffle: bool):
        ds = keras.utils.image_dataset_from_directory(
            root / split,
            image_size=(size, size),
            batch_size=None,
            label_mode="binary",
            shuffle=shuffle,
            seed=SEED,
            verbose=False,
        )
        ds = ds.cache()
        if shuffle:
            ds = ds.shuffle(2048, seed=SEED)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    return load("train", True), load("validation", False)


def generator_pipeline(root: Path, size: int, batch_size: int):
    """(train, validation) iterators of the older ImageDataGenerator API (deprecated, for comparison)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idg = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
        # bilinear, as image_dataset_from_directory resizes (flow_from_directory's default is nearest)
        common = dict(
            target_size=(size, size), batch_size=batch_size, class_mode="binary", interpolation="bilinear", seed=SEED
        )
        train = idg.flow_from_directory(str(root / "train"), shuffle=True, **common)
        validation = idg.flow_from_directory(str(root / "validation"), shuffle=False, **common)
    return train, validation


def run(name: str, train, validation, model: keras.Model, initial_weights, epochs: int) -> dict:
    model.set_weights(initial_weights)
    timer = EpochTimer()
    print(f"\n--- {name} ---", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generator's deprecation and PyDataset messages
        history = model.fit(train, validation_data=validation, epochs=epochs, callbacks=[timer], verbose=2)
    return {"seconds": timer.seconds, "val_accuracy": history.history["val_accuracy"]}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    root = data_dir(args.data_dir)
    keras.utils.set_random_seed(SEED)
    print(
        f"Input pipeline benchmark: three-block CNN at {args.size} x {args.size} px, batch {args.batch_size}, "
        f"{args.epochs} epochs per pipeline"
    )
    print(f"data: {root}")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"GPUs: {len(tf.config.list_physical_devices('GPU'))}; "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    )

    tf_model = build_model(args.size, rescale_inside=True)
    gen_model = build_model(args.size, rescale_inside=False)
    initial = tf_model.get_weights()  # both models start from these weights
    runs = {
        "tf.data (cached)": lambda: run(
            "tf.data: image_dataset_from_directory + cache + prefetch",
            *tfdata_pipeline(root, args.size, args.batch_size),
            tf_model,
            initial,
            args.epochs,
        ),
        "ImageDataGenerator": lambda: run(
            "ImageDataGenerator(rescale=1/255).flow_from_directory",
            *generator_pipeline(root, args.size, args.batch_size),
            gen_model,
            initial,
            args.epochs,
        ),
    }
    order = list(runs) if args.order == "tfdata-first" else list(runs)[::-1]
    results = {name: runs[name]() for name in order}

    tfd, gen = results["tf.data (cached)"], results["ImageDataGenerator"]
    print(f"\nSeconds per epoch (training + validation), {args.size} px:")
    print(f"{'epoch':>5} {'tf.data':>9} {'generator':>10} {'ratio':>7}")
    for epoch, (a, b) in enumerate(zip(tfd["seconds"], gen["seconds"]), start=1):
        print(f"{epoch:>5} {a:>9.1f} {b:>10.1f} {b / a:>6.2f}x")
    total_a, total_b = sum(tfd["seconds"]), sum(gen["seconds"])
    print(f"{'total':>5} {total_a:>9.1f} {total_b:>10.1f} {total_b / total_a:>6.2f}x")
    if args.epochs > 1:
        later_a, later_b = np.mean(tfd["seconds"][1:]), np.mean(gen["seconds"][1:])
        print(
            f"epochs 2-{args.epochs}, mean: tf.data {later_a:.1f} s, generator {later_b:.1f} s, "
            f"ratio {later_b / later_a:.2f}x (the cache is full from epoch 2 on)"
        )
    print(
        f"final validation accuracy: tf.data {tfd['val_accuracy'][-1]:.3f}, "
        f"generator {gen['val_accuracy'][-1]:.3f} (same model and start; they differ by shuffling order)"
    )


if __name__ == "__main__":
    main()
