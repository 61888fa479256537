"""Exercises of notebook 11 (transfer learning): what a frozen base leaves to train, fine-tuning, top-k.

* ``q1`` - the trainable parameters of a frozen ResNet-50 base with the
  "average pooling, Flatten, Dense 256, Dropout 0.5, softmax" head (a number)
* ``q2`` - the learning rate for the fine-tuning step (a number)
* ``q3`` - the two most probable classes from a probability vector (a list of names)

Use in the notebook::

    from helpers.exercises import nb11 as ex
    ex.q1.check(answer)   # ex.q1.hint(), ex.q1.solution()

``right`` and ``wrong`` list answers the checkers must accept and reject; the
test suite runs them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .framework import legacy as Exercise, Wrong, whole_number




# --------------------------------------------------------------------------- q1: trainable parameters

# ResNet-50 without its top, on 224 x 224 images, ends in maps of 7 x 7 x 2048.
Q1_MAPS = (7, 7, 2048)
Q1_BASE_PARAMS = 23_587_712  # keras.applications.ResNet50(include_top=False).count_params()
Q1_DENSE, Q1_CLASSES = 256, 2
Q1_FEATURES = Q1_MAPS[2]  # AveragePooling2D(7) -> (1, 1, 2048) -> Flatten -> 2048
Q1_EXPECTED = (Q1_FEATURES + 1) * Q1_DENSE + (Q1_DENSE + 1) * Q1_CLASSES  # 524,544 + 514 = 525,058


def _check_q1(answer: Any) -> str:
    value = whole_number(answer, "The number of trainable parameters", example="10245", why="It counts weights.")
    if value == Q1_EXPECTED:
        return ("(2048 + 1) * 256 + (256 + 1) * 2 = 525,058: only the new head trains; the 23.6 million "
                "weights of the frozen base stay as they are.")
    flat_big = Q1_MAPS[0] * Q1_MAPS[1] * Q1_MAPS[2]
    known = {
        Q1_FEATURES * Q1_DENSE + Q1_DENSE * Q1_CLASSES: "those are the weights only: each Dense unit also "
                                                        "has a bias (add 256 + 2).",
        Q1_EXPECTED + Q1_BASE_PARAMS: "that includes the base, but the base is frozen (trainable = False): "
                                      "its parameters are not trained. Count the head only.",
        (flat_big + 1) * Q1_DENSE + (Q1_DENSE + 1) * Q1_CLASSES: "that is Flatten without the pooling: "
            "AveragePooling2D(7) first averages each 7 x 7 map to one value, so Flatten sees 2048 values.",
        (Q1_FEATURES + 1) * Q1_DENSE: "that is the Dense(256) layer alone; the softmax layer with 2 units "
                                      "trains too: add (256 + 1) * 2.",
        (Q1_DENSE + 1) * Q1_CLASSES: "that is the output layer alone; the Dense(256) layer before it is new "
                                     "as well and trains too.",
        (Q1_FEATURES + 1) * Q1_DENSE + (Q1_DENSE + 1) * 1: "this head ends in a softmax with 2 units (one per "
                                                           "class), not one sigmoid unit.",
        Q1_BASE_PARAMS: "that is the frozen base, which does not train. Count the new head.",
    }
    if value in known:
        raise Wrong(f"{value:,}: {known[value]}")
    if value > 1_000_000:
        raise Wrong(f"{value:,} is far too many. Only the head trains; pooling, Flatten and Dropout have no "
                    f"parameters; each Dense layer has (inputs + 1) * units.")
    raise Wrong(f"{value:,} is not right. Follow the shapes: (7, 7, 2048) -> AveragePooling2D(7) -> "
                f"(1, 1, 2048) -> Flatten -> 2048 -> Dense(256) -> Dropout -> Dense(2); a Dense layer has "
                f"(inputs + 1) * units parameters.")


q1 = Exercise(
    name="q1",
    prompt=("A ResNet-50 base without its top (include_top=False) turns a 224 x 224 image into maps of "
            "shape (7, 7, 2048). It is frozen, and a head is added: AveragePooling2D(7), Flatten, "
            "Dense(256, relu), Dropout(0.5), Dense(2, softmax). How many trainable parameters does the "
            "whole model have?"),
    checker=_check_q1,
    hint_text=("A frozen base contributes nothing. Pooling, Flatten and Dropout have no parameters. "
               "After AveragePooling2D(7) each of the 2048 maps is one number. A Dense layer has "
               "$(n_\\text{in} + 1)\\,n_\\text{out}$ parameters."),
    solution_text=("$(2048 + 1) \\cdot 256 + (256 + 1) \\cdot 2 = 524{,}544 + 514 = 525{,}058$. In code: "
                   "`helpers.transfer.count_trainable(model)`, or the 'Trainable params' line of "
                   "`model.summary()`."),
    right=[525058, 525058.0, np.int64(525058)],
    wrong=[524800, 24112770, 25690882, 524544, 514, 524801, 23587712, 525057, "525058", None, 525058.5],
)


# --------------------------------------------------------------------------- q2: learning rate for fine-tuning

Q2_HEAD_RATE = 1e-3
Q2_CHOICES = (1e-1, 1e-2, 1e-3, 1e-4)
Q2_EXPECTED = 1e-4


def _check_q2(answer: Any) -> str:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(f"give the learning rate as a number, such as 0.01 or 1e-2; you gave "
                    f"{type(answer).__name__} {answer!r}.")
    rate = float(answer)
    if not any(np.isclose(rate, c, rtol=1e-9) for c in Q2_CHOICES):
        raise Wrong(f"{rate:g} is not one of the four choices: {', '.join(f'{c:g}' for c in Q2_CHOICES)}.")
    if np.isclose(rate, Q2_EXPECTED):
        return ("1e-4, ten times smaller than for the head: the unfrozen layers already hold useful "
                "features, and small steps adjust them without wiping them out.")
    if np.isclose(rate, Q2_HEAD_RATE):
        raise Wrong("0.001 is the rate the new head was trained with. The unfrozen layers start from "
                    "pretrained weights that are already good; steps that large can destroy what they "
                    "learnt before the head and the base agree. Take a smaller rate.")
    raise Wrong(f"{rate:g} is larger than the rate used for the head. Fine-tuning starts from good weights: "
                f"large steps would throw away the pretrained features. Use a smaller rate, not a larger one.")


q2 = Exercise(
    name="q2",
    prompt=("The new head was trained on top of a frozen base with Adam(learning_rate=1e-3). You now "
            "unfreeze the top layers of the base and compile again. Which learning rate do you give Adam "
            "for the fine-tuning: 1e-1, 1e-2, 1e-3 or 1e-4?"),
    checker=_check_q2,
    hint_text=("The unfrozen layers are not random: they hold features learnt on a large dataset. Do you "
               "want to move them a lot or a little?"),
    solution_text=("`1e-4`: a rate about ten times smaller than for the head, so the pretrained weights are "
                   "adjusted, not overwritten. Remember to `model.compile(...)` again after changing "
                   "`trainable`, or the change has no effect on training."),
    right=[1e-4, 0.0001, np.float32(1e-4)],
    wrong=[1e-3, 0.001, 1e-2, 0.1, 1e-5, 0.5, "1e-4", None, True],
)


# --------------------------------------------------------------------------- q3: the top two classes

Q3_CLASSES = ("dandelion", "daisy", "tulips", "sunflowers", "roses")  # tf_flowers' label order
Q3_PROBABILITIES = (0.07, 0.55, 0.04, 0.30, 0.04)
_ORDER = list(np.argsort(Q3_PROBABILITIES)[::-1])
Q3_EXPECTED = [Q3_CLASSES[i] for i in _ORDER[:2]]  # ['daisy', 'sunflowers']


def _check_q3(answer: Any) -> str:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Wrong(f"give a list of two class names, most probable first, such as ['roses', 'tulips']; "
                    f"you gave {type(answer).__name__} {answer!r}.")
    items = list(answer)
    if all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items) and items:
        names = [Q3_CLASSES[i] if 0 <= i < len(Q3_CLASSES) else "?" for i in items]
        raise Wrong(f"{items} are positions in the vector; give the class names instead, "
                    f"e.g. class_names[i] ({names}).")
    if not all(isinstance(i, str) for i in items):
        raise Wrong("every entry should be a class name (a string) from the list of classes.")
    unknown = [i for i in items if i not in Q3_CLASSES]
    if unknown:
        raise Wrong(f"{unknown} is not among the classes {list(Q3_CLASSES)}.")
    if len(items) != 2:
        raise Wrong(f"you gave {len(items)} name(s); the question asks for the top 2.")
    if items == Q3_EXPECTED:
        return "daisy (55%) first, then sunflowers (30%): np.argsort(p)[::-1][:2] gives their positions."
    if items == Q3_EXPECTED[::-1]:
        raise Wrong("those are the right two classes, but the most probable one comes first.")
    lowest = [Q3_CLASSES[i] for i in np.argsort(Q3_PROBABILITIES)[:2]]
    if sorted(items) == sorted(lowest):
        raise Wrong("those are the two *least* probable classes: np.argsort sorts ascending, so reverse "
                    "it ([::-1]) before taking the first two.")
    raise Wrong(f"{items} are not the two largest probabilities. Pair each name with its probability "
                f"and pick the two largest.")


q3 = Exercise(
    name="q3",
    prompt=(f"A flower classifier returns the probabilities {list(Q3_PROBABILITIES)} for the classes "
            f"{list(Q3_CLASSES)} (in that order). Which are its top-2 classes, most probable first? "
            "Answer with a list of two names."),
    checker=_check_q3,
    hint_text=("`np.argsort(p)` gives the positions from the smallest to the largest value; reverse it "
               "and take the first two, then look the positions up in the list of names."),
    solution_text=("`[class_names[i] for i in np.argsort(p)[::-1][:2]]` gives `['daisy', 'sunflowers']` "
                   "(0.55 and 0.30). `decode_predictions(..., top=5)` does the same for the 1,000 ImageNet "
                   "classes."),
    right=[["daisy", "sunflowers"], ("daisy", "sunflowers"), np.array(["daisy", "sunflowers"])],
    wrong=[["sunflowers", "daisy"], [1, 3], ["daisy"], ["tulips", "roses"], "daisy",
           ["daisy", "dandelion"], ["daisy", "rose"], None, ["daisy", "sunflowers", "dandelion"]],
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
