"""Exercises of notebook 11 (transfer learning): what a frozen base leaves to train, fine-tuning."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .framework import Choice, Model, Number, Wrong, number, numbered

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
    title="trainable parameters on a frozen base", what="The number of trainable parameters", example="10245",
    whole=True, why="It counts weights.",
    praise=("(2048 + 1) * 256 + (256 + 1) * 2 = 525,058: only the new head trains; the 23.6 million "
            "weights of the frozen base stay as they are."),
    mistakes=numbered([
        (Q1_FEATURES * Q1_DENSE + Q1_DENSE * Q1_CLASSES, "those are the weights only: each Dense unit also has "
                                                         "a bias (add 256 + 2)."),
        (Q1_EXPECTED + Q1_BASE_PARAMS, "that includes the base, but the base is frozen (trainable = False): its "
                                       "parameters are not trained. Count the head only."),
        ((_FLAT + 1) * Q1_DENSE + (Q1_DENSE + 1) * Q1_CLASSES,
         "that is Flatten without the pooling: AveragePooling2D(7) first averages each 7 x 7 map to one value, "
         "so Flatten sees 2048 values."),
        ((Q1_FEATURES + 1) * Q1_DENSE, "that is the Dense(256) layer alone; the softmax layer with 2 units "
                                       "trains too: add (256 + 1) * 2."),
        ((Q1_DENSE + 1) * Q1_CLASSES, "that is the output layer alone; the Dense(256) layer before it is new as "
                                      "well and trains too."),
        ((Q1_FEATURES + 1) * Q1_DENSE + (Q1_DENSE + 1) * 1, "this head ends in a softmax with 2 units (one per "
                                                            "class), not one sigmoid unit."),
        (Q1_BASE_PARAMS, "that is the frozen base, which does not train. Count the new head."),
    ]),
    otherwise=("Follow the shapes: (7, 7, 2048) -> AveragePooling2D(7) -> (1, 1, 2048) -> Flatten -> 2048 -> "
               "Dense(256) -> Dropout -> Dense(2); a Dense layer has (inputs + 1) * units parameters."),
    hint=("A frozen base contributes nothing. Pooling, Flatten and Dropout have no parameters. "
          "After AveragePooling2D(7) each of the 2048 maps is one number. A Dense layer has "
          "$(n_\\text{in} + 1)\\,n_\\text{out}$ parameters."),
    solution=("$(2048 + 1) \\cdot 256 + (256 + 1) \\cdot 2 = 524{,}544 + 514 = 525{,}058$. In code: "
              "`helpers.transfer.count_trainable(model)`, or the 'Trainable params' line of "
              "`model.summary()`."),
    right=[525058.0, np.int64(525058)],
    wrong=[524801, 525057, "525058", None, 525058.5],
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
    return (f"{rate:g} is larger than the rate used for the head. Fine-tuning starts from good weights: large "
            f"steps would throw away the pretrained features. Use a smaller rate, not a larger one.")


q2 = Choice(
    Q2_EXPECTED, options=Q2_CHOICES, normalise=_rate,
    title="the learning rate for fine-tuning",
    praise=("1e-4, ten times smaller than for the head: the unfrozen layers already hold useful "
            "features, and small steps adjust them without wiping them out."),
    mistakes=[
        (Q2_HEAD_RATE, "0.001 is the rate the new head was trained with. The unfrozen layers start from "
                       "pretrained weights that are already good; steps that large can destroy what they learnt "
                       "before the head and the base agree. Take a smaller rate."),
        (1e-2, _too_large(1e-2)),
        (1e-1, _too_large(1e-1)),
    ],
    hint=("The unfrozen layers are not random: they hold features learnt on a large dataset. Do you "
          "want to move them a lot or a little?"),
    solution=("`1e-4`: a rate about ten times smaller than for the head, so the pretrained weights are "
              "adjusted, not overwritten. Remember to `model.compile(...)` again after changing "
              "`trainable`, or the change has no effect on training."),
    right=[0.0001, np.float32(1e-4)],
    wrong=[1e-5, 0.5, "1e-4", None, True],
)


# --------------------------------------------------------------------------- q3: prepare fine-tuning


def make_model() -> keras.Model:
    """A small pretrained-style model: a frozen base (conv1, bn1, conv2, bn2, conv3, bn3) and a head."""
    layers = keras.layers
    base = keras.Sequential([
        keras.Input((16, 16, 3)),
        layers.Conv2D(8, 3, name="conv1"), layers.BatchNormalization(name="bn1"),
        layers.Conv2D(16, 3, name="conv2"), layers.BatchNormalization(name="bn2"),
        layers.Conv2D(16, 3, name="conv3"), layers.BatchNormalization(name="bn3"),
    ], name="base")
    base.trainable = False
    return keras.Sequential([keras.Input((16, 16, 3)), base, layers.GlobalAveragePooling2D(),
                             layers.Dense(5, activation="softmax", name="head")], name="classifier")


def _unfreeze(model: keras.Model, names: tuple[str, ...]) -> keras.Model:
    for layer in model.get_layer("base").layers:
        layer.trainable = layer.name in names
    return model


def _head_frozen(model):
    model.trainable = False
    return _unfreeze(model, ("conv2", "conv3"))


def _solution(model):
    base = model.get_layer("base")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name in ("conv2", "conv3")
    return model


def _everything(model):
    model.get_layer("base").trainable = True
    return model


q3 = Model(
    _solution, stub="prepare_fine_tuning", start=make_model, input_shape=(16, 16, 3),
    title="unfreeze the top of a base for fine-tuning",
    praise=("conv2 (1,168) + conv3 (2,320) + head (85) = 3,573 trainable parameters. conv1 and the three "
            "BatchNormalization layers stay frozen, so the normalisation statistics learnt before are kept."),
    mistakes=[
        (_everything, "you unfroze the whole base: conv1 and the BatchNormalization layers train too (3,877 "
                      "trainable parameters). Unfreeze only conv2 and conv3."),
        (lambda model: _unfreeze(model, ("conv2", "bn2", "conv3", "bn3")),
         "conv2 and conv3 are right, but bn2 and bn3 train too (3,637 trainable parameters): keep every "
         "BatchNormalization layer frozen, or their statistics drift on the new data."),
        (lambda model: _unfreeze(model, ("conv3",)),
         "only conv3 trains (2,405 trainable parameters); unfreeze the top two convolutions, conv2 and conv3."),
        (_head_frozen, "conv2 and conv3 train, but the head does not (3,488 trainable parameters): the new head "
                       "must keep training while the top of the base is fine-tuned."),
    ],
    hint=("`base = model.get_layer('base')`; go through `base.layers` and set `layer.trainable` to True for "
          "conv2 and conv3 and to False for the others. `helpers.transfer.count_trainable(model)` shows what "
          "you got."),
    solution=("```python\n"
              "def prepare_fine_tuning(model):\n"
              "    base = model.get_layer(\"base\")\n"
              "    base.trainable = True    # in Keras 3 this sets every layer inside to True as well\n"
              "    for layer in base.layers:\n"
              "        layer.trainable = layer.name in (\"conv2\", \"conv3\")  # the BatchNormalization layers stay frozen\n"
              "    return model\n"
              "```\n"
              "Then compile again: `trainable` takes effect at the next `compile`. The head's Dense layer was "
              "never frozen, so it keeps training."),
    right=[lambda model: _unfreeze(model, ("conv2", "conv3"))],
    wrong=[lambda model: model, lambda model: None, lambda model: _unfreeze(model, ("conv1", "conv2", "conv3")),
           lambda model: model.get_layer("bas")],
)

# ===================================================================== code exercises
# q4: freezing and unfreezing to a given trainable count. The learner writes
# prepare_fine_tuning(model) for the model of ex.q4_model(): a base of three convolution blocks
# (each Conv2D, BatchNormalization, ReLU), global average pooling and a head. The checker runs it
# on a fresh copy and reads which layers' weights an optimizer would change.

from .building import Code, call, count_trainable

Q4_LEARNING_RATE = 1e-4
Q4_WEIGHTED = ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "head")
Q4_TRAINABLE = ("conv3", "head")
Q4_EXPECTED = (3 * 3 * 32 + 1) * 64 + (64 + 1) * 5  # 18,496 + 325 = 18,821


def q4_model():
    """A fresh copy of the exercise's model: base (three blocks), global average pooling and head."""
    import keras

    blocks = []
    for i, filters in enumerate((16, 32, 64), start=1):
        blocks += [keras.layers.Conv2D(filters, 3, name=f"conv{i}"), keras.layers.BatchNormalization(name=f"bn{i}"),
                   keras.layers.Activation("relu", name=f"relu{i}")]
    base = keras.Sequential([keras.Input((28, 28, 1)), *blocks], name="base")
    return keras.Sequential([keras.Input((28, 28, 1)), base, keras.layers.GlobalAveragePooling2D(name="average"),
                             keras.layers.Dense(5, activation="softmax", name="head")], name="model")


def _q4_training_layers(model) -> list[str]:
    """Names of the layers with weights whose weights are among the model's trainable weights."""
    trainable = {id(w) for w in model.trainable_weights}
    found = []
    for name in Q4_WEIGHTED:
        layer = model.get_layer("base").get_layer(name) if name != "head" else model.get_layer("head")
        if any(id(w) in trainable for w in layer.weights):
            found.append(name)
    return found


def _check_q4(answer: Any) -> str:
    import keras

    model = q4_model()
    returned = call(answer, model)
    if returned is not None and returned is not model:
        raise Wrong("prepare_fine_tuning should change the model it is given and return it (return model), "
                    f"but it returned {type(returned).__name__}.")
    training = _q4_training_layers(model)
    count = count_trainable(model)
    if not training:
        raise Wrong("no weight of the model is trainable: model.trainable = False freezes everything, the head "
                    "included. Freeze the layers of the base, not the whole model.")
    if "head" not in training:
        raise Wrong("the head is frozen; the new head must always train: model.get_layer(\"head\").trainable = True.")
    norms = [name for name in training if name.startswith("bn")]
    if norms:
        raise Wrong(f"{', '.join(norms)} train too ({count:,} trainable parameters instead of {Q4_EXPECTED:,}): keep "
                    f"every BatchNormalization layer frozen when fine-tuning, so its statistics from the first "
                    f"task stay as they are.")
    lower = [name for name in training if name in ("conv1", "conv2")]
    if lower:
        raise Wrong(f"{', '.join(lower)} train{'s' if len(lower) == 1 else ''} too; only the top convolution, "
                    f"conv3, and the head are unfrozen.")
    if "conv3" not in training:
        raise Wrong(f"only the head's {count:,} parameters train; unfreeze the top convolution of the base too: "
                    f"base.get_layer(\"conv3\").trainable = True.")
    if count != Q4_EXPECTED:
        raise Wrong(f"{count:,} trainable parameters instead of {Q4_EXPECTED:,}.")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise Wrong("the trainable flags are right, but the model is not compiled: a change of trainable only "
                    "takes effect in the next compile. Compile it at the end of the function.")
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    if abs(rate - Q4_LEARNING_RATE) > 1e-9:
        raise Wrong(f"the model is compiled with a learning rate of {rate:g}; fine-tuning uses a small one, "
                    f"{Q4_LEARNING_RATE:g}, so that the pretrained weights of conv3 change only a little.")
    return (f"{Q4_EXPECTED:,} trainable parameters: conv3's 18,496 and the head's 325; the BatchNormalization "
            f"statistics and the lower blocks stay as they are.")


def _q4_solution(model):
    import keras

    base = model.get_layer("base")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name == "conv3"  # BatchNormalization layers stay frozen
    model.get_layer("head").trainable = True
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _q4_make(*, unfreeze=("conv3",), head=True, whole=False, compile_rate=1e-4):
    """A prepare_fine_tuning with one thing changed (for the checker's tests)."""
    import keras

    def prepare_fine_tuning(model):
        base = model.get_layer("base")
        for layer in base.layers:
            layer.trainable = layer.name in unfreeze
        model.get_layer("head").trainable = head
        if whole:
            model.trainable = False
        if compile_rate:
            model.compile(optimizer=keras.optimizers.Adam(compile_rate), loss="sparse_categorical_crossentropy")
        return model

    return prepare_fine_tuning


def _q4_helper(model):  # the course's own helper does it too
    import keras

    from ..transfer import freeze, unfreeze_top

    freeze(model)
    model.trainable = True
    model.get_layer("head").trainable = True
    unfreeze_top(model.get_layer("base"), 2)  # conv3 and bn3; bn3 stays frozen
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")
    return model


Q4_MISTAKES = [
    (_q4_make(whole=True),
     "no weight of the model is trainable: model.trainable = False freezes everything, the head included. "
     "Freeze the layers of the base, not the whole model."),
    (_q4_make(head=False),
     "the head is frozen; the new head must always train: model.get_layer(\"head\").trainable = True."),
    (_q4_make(unfreeze=("conv3", "bn3")),
     "bn3 train too (18,949 trainable parameters instead of 18,821): keep every BatchNormalization layer frozen "
     "when fine-tuning, so its statistics from the first task stay as they are."),
    (_q4_make(unfreeze=("conv2", "conv3")),
     "conv2 trains too; only the top convolution, conv3, and the head are unfrozen."),
    (_q4_make(unfreeze=()),
     "only the head's 325 parameters train; unfreeze the top convolution of the base too: "
     "base.get_layer(\"conv3\").trainable = True."),
    (_q4_make(compile_rate=None),
     "the trainable flags are right, but the model is not compiled: a change of trainable only takes effect in "
     "the next compile. Compile it at the end of the function."),
    (_q4_make(compile_rate=1e-3),
     "the model is compiled with a learning rate of 0.001; fine-tuning uses a small one, 0.0001, so that the "
     "pretrained weights of conv3 change only a little."),
]

q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="prepare_fine_tuning",
    title="freeze and unfreeze for fine-tuning",
    hint="Keep base.trainable = True and set "
         "layer.trainable = (layer.name == \"conv3\") for every layer of base.layers, which leaves the "
         "BatchNormalization layers frozen; keep the head trainable; compile with "
         "keras.optimizers.Adam(learning_rate=1e-4) at the end.",
    solution="""
```python
def prepare_fine_tuning(model):
    base = model.get_layer("base")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name == "conv3"  # BatchNormalization layers stay frozen
    model.get_layer("head").trainable = True
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
```""",
    right=[_q4_helper],
    mistakes=Q4_MISTAKES,
    wrong=["prepare_fine_tuning"],
)
