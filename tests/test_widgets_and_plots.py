"""Explorers redraw on change and fall back to a picture; plot helpers draw what they say."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots
from helpers.evaluation import count_confusions
from helpers.widgets import Explorer

PNG_MAGIC = b"\x89PNG"


def test_explorer_redraws_with_the_new_value_when_a_control_changes():
    calls = []

    def draw(scale):
        calls.append(scale)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, scale])
        return fig

    explorer = Explorer(draw, {"scale": ipywidgets.FloatSlider(value=1.0, min=0, max=5)})

    class Handle:
        updates = []

        def update(self, obj):
            self.updates.append(obj)

    explorer.handle = Handle()
    assert explorer.render().startswith(PNG_MAGIC) and calls == [1.0]
    explorer.controls["scale"].value = 3.0
    assert calls == [1.0, 3.0] and len(Handle.updates) == 1
    assert Handle.updates[0].data.startswith(PNG_MAGIC)


def test_explorer_draws_an_error_message_instead_of_raising():

    def draw(text):
        raise ValueError(f"cannot read {text!r} as nine numbers")

    explorer = Explorer(draw, {"text": ipywidgets.Text(value="1 2")})
    assert explorer.render().startswith(PNG_MAGIC)
    assert explorer.error == "ValueError: cannot read '1 2' as nine numbers"


def test_explorer_shows_a_static_picture_without_a_kernel(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    draw = lambda n: plt.subplots()[0]  # noqa: E731
    Explorer(draw, {"n": ipywidgets.IntSlider(value=2)}).show()
    assert len(shown) == 1 and shown[0].data.startswith(PNG_MAGIC), "outside a kernel only the picture is shown"


def test_show_images_makes_one_titled_panel_per_image():
    fig = plots.show_images([np.zeros((4, 4))] * 7, titles=list("abcdefg"), ncols=3)
    visible = [ax for ax in fig.axes if ax.images]
    assert len(visible) == 7 and len(fig.axes) == 9
    assert [ax.get_title() for ax in visible] == list("abcdefg")
    plt.close(fig)


def test_confusion_matrix_counts_and_heatmap():
    y_true, y_pred = [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2]
    np.testing.assert_array_equal(count_confusions(y_true, y_pred, 3), [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    ax = plots.plot_confusion_matrix(y_true, y_pred, ["a", "b", "c"])
    assert [t.get_text() for t in ax.texts] == ["1", "1", "0", "0", "1", "0", "1", "0", "2"]
    plt.close("all")


def test_plot_history_draws_training_and_validation_curves():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.8]}
    fig = plots.plot_history(history)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    with pytest.raises(ValueError, match="it has"):
        plots.plot_history(history, metrics=["auc"])
    plt.close("all")


def test_show_matrix_writes_every_value():
    ax = plots.show_matrix(np.arange(6).reshape(2, 3), highlight=(0, 0, 2, 2))
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3", "4", "5"] and len(ax.patches) == 1
    plt.close("all")


def test_evaluation_helpers():
    from helpers import evaluation

    y_true = [0, 0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 1, 2, 0, 2]
    np.testing.assert_allclose(evaluation.per_class_accuracy(y_true, y_pred, 3), [1 / 3, 1.0, 2 / 3])
    assert evaluation.most_confused(y_true, y_pred, ["a", "b", "c"]) == [("a", "b", 2), ("c", "a", 1)]
    probs = np.eye(3)[y_pred] * 0.8 + 0.2 / 3
    fig = evaluation.show_misclassified(np.zeros((8, 4, 4)), y_true, probs, ["a", "b", "c"])
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert len(titles) == 3 and titles[0].startswith("said b 87%\nwas a 7%")
    plt.close("all")


def test_epoch_timer_records_one_time_per_epoch():
    import keras

    from helpers.evaluation import EpochTimer

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 2)), np.zeros(8), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds) and timer.mean > 0


def test_show_matrix_writes_numbers_readable_on_their_cell_colour():
    ax = plots.show_matrix(np.array([[0.0, 1.0]]), cmap="gray")
    colours = [t.get_color() for t in ax.texts]
    assert colours == ["white", "black"], "white on black, black on white"
    plt.close("all")
