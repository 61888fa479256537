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
