"""Answers to test the exercises of notebook 12 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb12 import _unfreeze

from . import Cases


def _head_frozen_too(model):  # the top of the base unfrozen, the head frozen by mistake
    for layer in model.layers:
        layer.trainable = layer.name == "base"
    for layer in model.get_layer("base").layers:
        layer.trainable = layer.name in ("conv2", "conv3")
    return model


def _everything_frozen_first(model):  # the whole model frozen, then two layers inside unfrozen
    model.trainable = False
    for layer in model.get_layer("base").layers:
        layer.trainable = layer.name in ("conv2", "conv3")
    return model


CASES = {
    "q1": Cases(
        right=[525058.0, np.int64(525058)],
        mistakes=[
            (524801, "524,801: this head ends in a softmax with 2 units (one per class), not one sigmoid unit."),
            (
                525057,
                (
                    "525,057 is not right. Follow the shapes: (7, 7, 2048) -> AveragePooling2D(7) -> (1, 1, 2048) "
                    "-> Flatten -> 2048 -> Dense(256) -> Dropout -> Dense(2); a Dense layer has (inputs + 1) * "
                    "units parameters."
                ),
            ),
            (
                "525058",
                "The number of trainable parameters should be a number, such as 10245, but you gave str '525058'.",
            ),
            (
                None,
                "The number of trainable parameters should be a number, such as 10245, but you gave NoneType None.",
            ),
            (
                525058.5,
                "The number of trainable parameters is a whole number, but you gave 525,058.5. It counts weights.",
            ),
        ],
    ),
    "q2": Cases(
        right=[0.0001, np.float32(1e-4)],
        mistakes=[
            (1e-5, "1e-05 is not one of the four choices: 0.1, 0.01, 0.001, 0.0001."),
            (0.5, "0.5 is not one of the four choices: 0.1, 0.01, 0.001, 0.0001."),
            ("1e-4", "The learning rate should be a number, such as 0.01 or 1e-2, but you gave str '1e-4'."),
            (None, "The learning rate should be a number, such as 0.01 or 1e-2, but you gave NoneType None."),
            (True, "The learning rate should be a number, such as 0.01 or 1e-2, but you gave bool True."),
        ],
    ),
    "q3": Cases(
        right=[lambda model: _unfreeze(model, ("conv2", "conv3"))],
        wrong=[lambda model: model.get_layer("bas")],
        mistakes=[
            (
                lambda model: model,
                "your model's trainable parameter count is 85, but it should be 3,573. Layers that train in "
                "your model: head; they should be: conv2, conv3, head.",
            ),
            (lambda model: None, "`prepare_fine_tuning` returns None; end it with `return` and the model."),
            (
                _head_frozen_too,
                "conv2 and conv3 train, but the head does not (3,488 trainable parameters): the new head "
                "must keep training while the top of the base is fine-tuned.",
            ),
            (
                _everything_frozen_first,
                "nothing trains (0 trainable parameters). Setting trainable = False on the whole model freezes "
                "everything in it, whatever its layers say; set trainable on the layers of the base only, and "
                "leave the head trainable.",
            ),
            (
                lambda model: _unfreeze(model, ("conv1", "conv2", "conv3")),
                "your model's trainable parameter count is 3,797, but it should be 3,573. Layers that train in "
                "your model: conv1, conv2, conv3, head; they should be: conv2, conv3, head.",
            ),
            (
                lambda model: _unfreeze(model, ("conv2",)),
                "your model's trainable parameter count is 1,253, but it should be 3,573. Layers that train in "
                "your model: conv2, head; they should be: conv2, conv3, head.",
            ),
        ],
    ),
}
