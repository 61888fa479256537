"""Evaluating a classifier in ways a learner can read: per-class accuracy, confused pairs, mistakes."""

from __future__ import annotations

import time
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def count_confusions(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int) -> np.ndarray:
    """The confusion matrix: counts ``m[i, j]`` of examples of true class ``i`` predicted as class ``j``.

    ``plots.plot_confusion_matrix`` draws it."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return matrix


def per_class_accuracy(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int) -> np.ndarray:
    """Fraction of each true class that was predicted correctly (recall per class), shape (n_classes,)."""
    matrix = count_confusions(y_true, y_pred, n_classes)
    return np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)


def most_confused(
    y_true: Sequence[int], y_pred: Sequence[int], class_names: Sequence[str], top: int = 5
) -> list[tuple[str, str, int]]:
    """The ``top`` most frequent mistakes as (true class, predicted class, count), most frequent first."""
    matrix = count_confusions(y_true, y_pred, len(class_names))
    np.fill_diagonal(matrix, 0)
    order = np.argsort(matrix, axis=None)[::-1][:top]
    pairs = []
    for flat in order:
        i, j = np.unravel_index(flat, matrix.shape)
        if matrix[i, j] == 0:
            break
        pairs.append((class_names[i], class_names[j], int(matrix[i, j])))
    return pairs


def show_misclassified(
    images: np.ndarray,
    y_true: Sequence[int],
    probabilities: np.ndarray,
    class_names: Sequence[str],
    *,
    n: int = 10,
    ncols: int = 5,
) -> plt.Figure:
    """A grid of the first ``n`` wrongly classified images, each titled with the predicted class and
    its probability and the true class with its probability. ``probabilities`` is (N, n_classes)."""
    probabilities = np.asarray(probabilities)
    y_true = np.asarray(y_true)
    y_pred = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(y_pred != y_true)[:n]
    if len(wrong) == 0:
        raise ValueError("There are no misclassified images to show.")
    ncols = min(ncols, len(wrong))
    nrows = int(np.ceil(len(wrong) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.4 * ncols, 2.7 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        img = np.asarray(images[i])
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        p, t = y_pred[i], y_true[i]
        ax.set_title(
            f"said {class_names[p]} {probabilities[i, p]:.0%}\nwas {class_names[t]} {probabilities[i, t]:.0%}",
            fontsize=8,
            color="darkred",
        )
    fig.tight_layout()
    return fig


try:
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """Records the wall-clock seconds of every epoch in ``self.seconds`` (a list)."""

        def on_train_begin(self, logs=None):
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

        @property
        def mean(self) -> float:
            """Mean seconds per epoch (the first epoch included)."""
            return float(np.mean(self.seconds)) if self.seconds else float("nan")

except ImportError:  # the NumPy-only parts above work without Keras
    pass
