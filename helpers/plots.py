"""Plotting helpers: image grids, training curves, confusion matrices, annotated matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def show_images(
    images: Sequence[np.ndarray] | np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 5,
    cmap: str | None = None,
    size: float = 2.2,
    suptitle: str | None = None,
) -> plt.Figure:
    """Draw images in a grid, each with an optional title; return the figure.

    Grayscale images (H, W) or (H, W, 1) use ``cmap`` (``"gray"`` when not given);
    colour images are shown as they are. Float images are expected in [0, 1].
    """
    images = list(images)
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = np.asarray(images[i])
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_matrix(
    matrix: np.ndarray,
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
    fmt: str = "{:g}",
    cmap: str = "Blues",
    vmin: float | None = None,
    vmax: float | None = None,
    highlight: tuple[int, int, int, int] | None = None,
) -> plt.Axes:
    """Draw a small 2-D array as coloured cells with its numbers written in; return the axes.

    Each number is written in black or white, whichever reads better on its
    cell's colour. ``vmin``/``vmax`` fix the colour scale (for example
    symmetric around 0 with a diverging map). ``highlight=(row, col, height,
    width)`` outlines a window, for example the patch a kernel is looking at.
    """
    matrix = np.asarray(matrix)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * matrix.shape[1] + 1, 0.55 * matrix.shape[0] + 0.8))
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax)
    for (r, c), value in np.ndenumerate(matrix):
        red, green, blue, _ = image.cmap(image.norm(value))
        luminance = 0.299 * red + 0.587 * green + 0.114 * blue
        ax.text(
            c, r, fmt.format(value), ha="center", va="center", fontsize=9, color="white" if luminance < 0.5 else "black"
        )
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_history(history, metrics: Sequence[str] = ("loss", "accuracy"), *, title: str | None = None) -> plt.Figure:
    """Training and validation curves, one panel per metric, from a Keras ``History`` (or its dict)."""
    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    metrics = [m for m in metrics if m in logs]
    if not metrics:
        raise ValueError(f"None of the metrics asked for are in the history; it has {sorted(logs)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    class_names: Sequence[str],
    *,
    normalize: bool = False,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """A seaborn heatmap of the confusion matrix (rows: true class, columns: predicted); return the axes."""
    import seaborn as sns

    from .evaluation import count_confusions

    matrix = count_confusions(y_true, y_pred, len(class_names))
    data = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    if ax is None:
        side = 1.0 + 0.6 * len(class_names)
        _, ax = plt.subplots(figsize=(side + 1.5, side))
    sns.heatmap(
        data,
        annot=True,
        fmt=".2f" if normalize else "d",
        cmap="Blues",
        cbar=False,
        xticklabels=class_names,
        yticklabels=class_names,
        ax=ax,
    )
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
