"""Which dense network for notebook 05, section 7? Chosen on validation images, never on the test set.

Each candidate of notebook 05's section 7 (Flatten -> Dense(units, relu) [-> Dropout]
-> Dense(10, softmax), Adam at 0.001) is trained for 12 epochs on the first 54,000
MNIST training images; the last 6,000 (``validation_split=0.1``) are the validation
images. The script prints, per candidate and seed, the validation accuracy after 12
epochs and the lowest and highest after epochs 9 to 12. The test images are not loaded.

Usage (from the repository root; run nothing else on the machine meanwhile)::

    python benchmarks/mnist_dense_selection.py                 # every candidate, seed 42
    python benchmarks/mnist_dense_selection.py --seeds 42 1 7 --only 128/32 512+0.2/128

See ``benchmarks/README.md`` for measured results.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.notebook import import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402

from helpers.data import load_mnist  # noqa: E402
from helpers.repro import seed_everything  # noqa: E402

#: name -> (hidden units, dropout rate, batch size), the rows of notebook 05's table
CANDIDATES = {
    "128/32": (128, 0.0, 32),
    "128/128": (128, 0.0, 128),
    "128+0.2/32": (128, 0.2, 32),
    "512/128": (512, 0.0, 128),
    "256+0.2/32": (256, 0.2, 32),
    "512+0.2/32": (512, 0.2, 32),
    "512+0.2/128": (512, 0.2, 128),
}
EPOCHS = 12


def build_dense(units: int, dropout: float) -> keras.Model:
    layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(units, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--only", nargs="+", choices=sorted(CANDIDATES), default=list(CANDIDATES))
    args = parser.parse_args()
    (x_train, y_train), _ = load_mnist()  # the test set stays unread
    x_train = (x_train / 255.0).astype("float32")
    print(f"{'candidate':<14}{'seed':>5}{'val. after 12':>15}{'val. epochs 9-12':>20}{'train after 12':>16}{'s':>6}")
    for name in args.only:
        units, dropout, batch = CANDIDATES[name]
        for seed in args.seeds:
            seed_everything(seed)
            model = build_dense(units, dropout)
            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            start = time.perf_counter()
            history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=batch, validation_split=0.1, verbose=0)
            seconds = time.perf_counter() - start
            val = history.history["val_accuracy"]
            print(
                f"{name:<14}{seed:>5}{val[-1]:>15.4f}{min(val[8:]):>11.4f} - {max(val[8:]):.4f}"
                f"{history.history['accuracy'][-1]:>16.4f}{seconds:>6.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
