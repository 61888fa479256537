"""Exercises of notebook 12 (transfer learning): what a frozen base leaves to train, fine-tuning."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .framework import Choice, Model, Number, Wrong, code_of, number, numbered

# --------------------------------------------------------------------------- q1: trainable parameters

# ResNet-50 without its top, on 224 x 224 images, ends in maps of 7 x 7 x 2048.
Q1_MAPS = (7, 7, 2048)
Q1_BASE_PARAMS = 23_587_712  # keras.applications.ResNet50(include_top=False).count_params()
Q1_DENSE, Q1_CLASSES = 256, 2
Q1_FEATURES = Q1_MAPS[2]  # AveragePooling2D(7) -> (1, 1, 2048) -> Flatten -> 2048
Q1_EXPECTED = (Q1_FEATURES + 1) * Q1_DENSE + (Q1_DENSE + 1) * Q1_CLASSES  # 524,544 + 514 = 525,058
_FLAT = Q1_MAPS[0] * Q1_MAPS[1] * Q1_MAPS[2]

q1 = Number(
    Q1_EXPECTED,
    title="trainable parameters on a frozen base",
    what="The number of trainable parameters",
    example="10245",
    whole=True,
    why="It counts weights.",
    praise=(
        "(2048 + 1) * 256 + (256 + 1) * 2 = 525,058: only the new head trains; the 23.6 million "
        "weights of the frozen base stay as they are."
    ),
    mistakes=numbered(
        [
            (
                Q1_FEATURES * Q1_DENSE + Q1_DENSE * Q1_CLASSES,
                "those are the weights only: each Dense unit also has a bias (add 256 + 2).",
            ),
            (
                Q1_EXPECTED + Q1_BASE_PARAMS,
                "that includes the base, but the base is frozen (trainable = False): its "
                "parameters are not trained. Count the head only.",
            ),
            (
                (_FLAT + 1) * Q1_DENSE + (Q1_DENSE + 1) * Q1_CLASSES,
                "that is Flatten without the pooling: AveragePooling2D(7) first averages each 7 x 7 map to one value, "
                "so Flatten sees 2048 values.",
            ),
            (
                (Q1_FEATURES + 1) * Q1_DENSE,
                "that is the Dense(256) layer alone; the softmax layer with 2 units trains too: add (256 + 1) * 2.",
            ),
            (
                (Q1_DENSE + 1) * Q1_CLASSES,
                "that is the output layer alone; the Dense(256) layer before it is new as well and trains too.",
            ),
            (
                (Q1_FEATURES + 1) * Q1_DENSE + (Q1_DENSE + 1) * 1,
                "this head ends in a softmax with 2 units (one per class), not one sigmoid unit.",
            ),
            (Q1_BASE_PARAMS, "that is the frozen base, which does not train. Count the new head."),
        ]
    ),
    otherwise=(
        "Follow the shapes: (7, 7, 2048) -> AveragePooling2D(7) -> (1, 1, 2048) -> Flatten -> 2048 -> "
        "Dense(256) -> Dropout -> Dense(2); a Dense layer has (inputs + 1) * units parameters."
    ),
    hint=(
        "A frozen base contributes nothing. Pooling, Flatten and Dropout have no parameters. "
        "After AveragePooling2D(7) each of the 2048 maps is one number. A Dense layer has "
        "$(n_\\text{in} + 1)\\,n_\\text{out}$ parameters."
    ),
    solution=(
        "$(2048 + 1) \\cdot 256 + (256 + 1) \\cdot 2 = 524{,}544 + 514 = 525{,}058$. In code: "
        "`helpers.transfer.count_trainable(model)`, or the 'Trainable params' line of "
        "`model.summary()`."
    ),
)


# --------------------------------------------------------------------------- q2: learning rate for fine-tuning

Q2_HEAD_RATE = 1e-3
Q2_CHOICES = (1e-1, 1e-2, 1e-3, 1e-4)
Q2_EXPECTED = 1e-4


def _rate(answer: Any) -> float:
    rate = number(answer, "The learning rate", "0.01 or 1e-2")
    for choice in Q2_CHOICES:
        if np.isclose(rate, choice, rtol=1e-6):
            return choice
    raise Wrong(f"{rate:g} is not one of the four choices: {', '.join(f'{c:g}' for c in Q2_CHOICES)}.")


def _too_large(rate: float) -> str:
    return (
        f"{rate:g} is larger than the rate used for the head. Fine-tuning starts from good weights: large "
        f"steps would throw away the pretrained features. Use a smaller rate, not a larger one."
    )


q2 = Choice(
    Q2_EXPECTED,
    options=Q2_CHOICES,
    normalise=_rate,
    title="the learning rate for fine-tuning",
    praise=(
        "1e-4, ten times smaller than for the head: the unfrozen layers already hold useful "
        "features, and small steps adjust them without wiping them out."
    ),
    mistakes=[
        (
            Q2_HEAD_RATE,
            "0.001 is the rate the new head was trained with. The unfrozen layers start from "
            "pretrained weights that are already good; steps that large can destroy what they learnt "
            "before the head and the base agree. Take a smaller rate.",
        ),
        (1e-2, _too_large(1e-2)),
        (1e-1, _too_large(1e-1)),
    ],
    hint=(
        "The unfrozen layers are not random: they hold features learnt on a large dataset. Do you "
        "want to move them a lot or a little?"
    ),
    solution=(
        "`1e-4`: a rate about ten times smaller than for the head, so the pretrained weights are "
        "adjusted, not overwritten. Remember to `model.compile(...)` again after changing "
        "`trainable`, or the change has no effect on training."
    ),
)


# --------------------------------------------------------------------------- q3: prepare fine-tuning


def make_model() -> keras.Model:
    """A small pretrained-style model: a frozen base (conv1, bn1, conv2, bn2, conv3, bn3) and a head."""
    layers = keras.layers
    base = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            layers.Conv2D(8, 3, name="conv1"),
            layers.BatchNormalization(name="bn1"),
            layers.Conv2D(16, 3, name="conv2"),
            layers.BatchNormalization(name="bn2"),
            layers.Conv2D(16, 3, name="conv3"),
            layers.BatchNormalization(name="bn3"),
        ],
        name="base",
    )
    base.trainable = False
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            base,
            layers.GlobalAveragePooling2D(),
            layers.Dense(5, activation="softmax", name="head"),
        ],
        name="classifier",
    )


def _unfreeze(model: keras.Model, names: tuple[str, ...]) -> keras.Model:
    for layer in model.get_layer("base").layers:
        layer.trainable = layer.name in names
    return model


def _head_frozen(model):
    model.get_layer("head").trainable = False
    return _unfreeze(model, ("conv2", "conv3"))


def _model_frozen(model):  # trainable = False on the model freezes all of it, whatever its layers say
    model.trainable = False
    return _unfreeze(model, ("conv2", "conv3"))


def _trainable_layers(model) -> list[str]:
    """Names of the layers (nested ones included) whose weights the optimizer would update, bottom first."""
    updated = {id(weight) for weight in model.trainable_weights}
    names = []

    def walk(layer):
        if hasattr(layer, "layers"):
            for inner in layer.layers:
                walk(inner)
        elif any(id(weight) in updated for weight in layer.weights):
            names.append(layer.name)

    walk(model)
    return names


class _Unfreeze(Model):
    """The Model exercise, whose message for a wrong trainable count names the layers that train."""

    def _probe(self, model: Any) -> tuple:
        self._probed = model  # the learner's model is the last one probed in _judge
        return super()._probe(model)

    def _judge(self, answer: Any) -> str | None:
        try:
            return super()._judge(answer)
        except Wrong as wrong:
            if "trainable parameter count" not in str(wrong):
                raise
            have = ", ".join(_trainable_layers(self._probed)) or "none"
            want = ", ".join(_trainable_layers(self._built(self.answer)))
            raise Wrong(f"{wrong} Layers that train in your model: {have}; they should be: {want}.") from None


def _solution(model):
    base = model.get_layer("base")
    base.trainable = True  # in Keras 3 this sets every layer inside to True as well
    for layer in base.layers:
        layer.trainable = layer.name in ("conv2", "conv3")  # the BatchNormalization layers stay frozen
    return model


def _everything(model):
    model.get_layer("base").trainable = True
    return model


q3 = _Unfreeze(
    _solution,
    stub="prepare_fine_tuning",
    start=make_model,
    input_shape=(16, 16, 3),
    title="unfreeze the top of a base for fine-tuning",
    praise=(
        "conv2 (1,168) + conv3 (2,320) + head (85) = 3,573 trainable parameters. conv1 and the three "
        "BatchNormalization layers stay frozen, so the normalisation statistics learnt before are kept."
    ),
    mistakes=[
        (
            _everything,
            "you unfroze the whole base: conv1 and the BatchNormalization layers train too (3,877 "
            "trainable parameters). Unfreeze only conv2 and conv3.",
        ),
        (
            lambda model: _unfreeze(model, ("conv2", "bn2", "conv3", "bn3")),
            "conv2 and conv3 are right, but bn2 and bn3 train too (3,637 trainable parameters): keep every "
            "BatchNormalization layer frozen, or their statistics drift on the new data.",
        ),
        (
            lambda model: _unfreeze(model, ("conv3",)),
            "only conv3 trains (2,405 trainable parameters); unfreeze the top two convolutions, conv2 and conv3.",
        ),
        (
            _head_frozen,
            "conv2 and conv3 train, but the head does not (3,488 trainable parameters): the new head "
            "must keep training while the top of the base is fine-tuned.",
        ),
        (
            _model_frozen,
            "nothing trains (0 trainable parameters). Setting trainable = False on the whole model freezes "
            "everything in it, whatever its layers say; set trainable on the layers of the base only, and "
            "leave the head trainable.",
        ),
    ],
    hint=(
        "`base = model.get_layer('base')`; go through `base.layers` and set `layer.trainable` to True for "
        "conv2 and conv3 and to False for the others. `helpers.transfer.count_trainable(model)` shows what "
        "you got."
    ),
    solution=(
        code_of(_solution, "prepare_fine_tuning")
        + "\nThen compile again: `trainable` takes effect at the next `compile`. The head's Dense layer was "
        "never frozen, so it keeps training."
    ),
)
