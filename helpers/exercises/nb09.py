"""Exercises of notebook 09 (cats vs dogs): parameter counts, sensible augmentations, reading curves."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .. import reference
from .building import Code
from .building import call as _call
from .building import expect_layer as _expect_layer
from .framework import Check, Number, Wrong, code_of, layers_in
from .framework import output as _output

# --------------------------------------------------------------------------- q1: the big Dense layer

Q1_SIZE = 150
Q1_FILTERS = (32, 64, 128, 128)
_sides = [Q1_SIZE]
for _ in Q1_FILTERS:
    _sides.append(reference.output_size(_sides[-1], 3))  # Conv2D(f, 3), padding 'valid'
    _sides.append(_sides[-1] // 2)  # MaxPooling2D(2)
Q1_SIDES = tuple(_sides)  # (150, 148, 74, 72, 36, 34, 17, 15, 7)
Q1_FLAT = Q1_SIDES[-1] ** 2 * Q1_FILTERS[-1]  # 7 * 7 * 128 = 6,272
Q1_UNITS = 512
Q1_EXPECTED = (Q1_FLAT + 1) * Q1_UNITS  # 3,211,776


def _dense(flat: int) -> int:
    return (flat + 1) * Q1_UNITS


q1 = Number(
    Q1_EXPECTED,
    title="parameters of the big Dense layer",
    what="The parameter count",
    example="1000",
    whole=True,
    why="It counts weights.",
    praise=(
        "150 -> 148 -> 74 -> 72 -> 36 -> 34 -> 17 -> 15 -> 7: Flatten gives 7 * 7 * 128 = 6,272 "
        "values, and (6,272 + 1) * 512 = 3,211,776, 93% of the model's 3,453,121 parameters."
    ),
    mistakes=[
        (Q1_FLAT * Q1_UNITS, "3,211,264: those are the weights only. Each of the 512 units also has a bias: add 512."),
        (
            _dense(8 * 8 * 128),
            "4,194,816: 8 x 8 maps come from rounding 15 / 2 up. MaxPooling2D(2) rounds down: floor(15 / 2) = 7.",
        ),
        (
            _dense(9 * 9 * 128),
            "5,308,928: 9 x 9 is what you get if every Conv2D kept its size ('same' padding): "
            "150 -> 75 -> 37 -> 18 -> 9. These convolutions use 'valid' and take 2 off.",
        ),
        (
            _dense(15 * 15 * 128),
            "14,746,112: 15 x 15 is the output of the last Conv2D; the last MaxPooling2D halves it to 7 x 7.",
        ),
        (_dense(7 * 7), "25,600: that is one channel. Flatten lays out all 128 maps of the last Conv2D: 7 * 7 * 128."),
        (
            _dense(7 * 7 * 3),
            "75,776: the 3 colour channels of the input do not reach Flatten; the last Conv2D has 128.",
        ),
        (
            Q1_FLAT,
            "6,272 is the number of values out of Flatten, the layer's inputs. Each of the 512 units has "
            "one weight per input, plus a bias.",
        ),
        (
            Q1_FLAT + 1,
            "6,273 = 6,272 + 1 is the count of a single unit, its weights and its bias. Dense(512) has 512 such units.",
        ),
        (3_453_121, "3,453,121: that is the whole model. The question asks about the Dense(512) layer alone."),
        (
            512 + 1,
            "513: that is the last layer (one sigmoid unit after the 512). The question asks about "
            "Dense(512), which reads the 6,272 flattened values.",
        ),
    ],
    otherwise=(
        "First follow the side (a 3 x 3 'valid' Conv2D takes 2 off, MaxPooling2D(2) halves and rounds "
        "down) to get the flatten size, then use (n_in + 1) * n_out."
    ),
    hint=(
        "Follow the side: $n \\to n - 2$ for each 3 x 3 'valid' convolution, "
        "$n \\to \\lfloor n/2 \\rfloor$ for each pooling. Flatten gives side x side x 128 values; "
        "a dense layer has $(n_\\text{in} + 1)\\,n_\\text{out}$ parameters."
    ),
    solution=(
        "Sides $150 \\to 148 \\to 74 \\to 72 \\to 36 \\to 34 \\to 17 \\to 15 \\to 7$, so "
        "Flatten gives $7 \\cdot 7 \\cdot 128 = 6272$ values and Dense(512) has "
        "$(6272 + 1) \\cdot 512 = 3{,}211{,}776$ parameters. Check: "
        "`classic.get_layer('dense').count_params()` (the 150 x 150 model of section 3)."
    ),
)


# --------------------------------------------------------------------------- q2: sensible augmentations

Q2_OPTIONS = {
    "A": 'RandomFlip("horizontal"): a mirror image, left and right swapped',
    "B": 'RandomFlip("vertical"): the photo upside down',
    "C": "RandomRotation(0.05): turned by up to 18 degrees either way",
    "D": "RandomRotation(0.5): turned by up to 180 degrees either way",
    "E": "RandomZoom(0.2): up to 20% closer or further away",
    "F": "RandomContrast(0.2): contrast changed by up to 20%",
    "G": "RandomCrop(24, 24) on a 150 x 150 photo: a random 24 x 24 pixel patch",
}
Q2_EXPECTED = frozenset("ACEF")
_Q2_WHY_NOT = {
    "B": (
        "B (vertical flip): an upside-down cat is still a cat, but photos of pets are taken upright, "
        "so the model would spend its capacity on images it never meets."
    ),
    "D": (
        "D (up to 180 degrees): pets standing on their heads are as rare as upside-down photos; "
        "small rotations (C) imitate a tilted camera, large ones do not."
    ),
    "G": (
        "G (a 24 x 24 patch of 150 x 150): such a small crop often shows only fur, grass or a sofa, "
        "so the label may no longer be visible in the image."
    ),
}
_COUNT = {1: "One more option suits", 2: "Two more options suit", 3: "Three more options suit", 4: "Four options suit"}


def _as_letters(answer: Any) -> frozenset:
    if isinstance(answer, str):
        letters = [ch for ch in answer.upper() if ch.isalpha()]
    elif isinstance(answer, (set, frozenset, list, tuple)):
        letters = []
        for item in answer:
            if not isinstance(item, str) or len(item.strip()) != 1:
                raise Wrong(f"give the letters of the options, such as {{'A', 'B'}}; {item!r} is not one letter.")
            letters.append(item.strip().upper())
    else:
        raise Wrong(f"give a set of letters, such as {{'A', 'B'}}, but you gave {type(answer).__name__} {answer!r}.")
    unknown = sorted(set(letters) - set(Q2_OPTIONS))
    if unknown:
        raise Wrong(f"{', '.join(unknown)} is not one of the options; they are A to G.")
    if not letters:
        raise Wrong("you chose nothing. Several of these augmentations suit photos of pets.")
    return frozenset(letters)


def _check_q2(answer: Any) -> str:
    chosen = _as_letters(answer)
    if chosen == Q2_EXPECTED:
        return (
            "A, C, E and F change a photo the way another photo of a pet could differ: mirrored, "
            "slightly tilted, closer, with more or less contrast. B, D and G make images the model never sees "
            "(upside down) or may cut the animal out."
        )
    wrong_in = sorted(chosen - Q2_EXPECTED)
    missing = sorted(Q2_EXPECTED - chosen)
    parts = [_Q2_WHY_NOT[x] for x in wrong_in]
    if missing:
        parts.append(
            f"{_COUNT[len(missing)]} these photos: for each option you left out, ask again whether "
            f"another photo of a pet could look like that, with the label still true."
        )
    raise Wrong(" ".join(parts))


q2 = Check(
    _check_q2,
    answer={"A", "C", "E", "F"},
    title="augmentations that suit pet photos",
    hint=(
        "For each option ask two questions: would a photographer ever take a pet photo like this, "
        "and can you still see whether it is a cat or a dog? Keep an option only if both answers are yes."
    ),
    solution=(
        "`{'A', 'C', 'E', 'F'}`. A horizontal flip, a small rotation, a zoom and a contrast change "
        "produce photos like the real ones. A vertical flip (B) or a rotation of up to 180 degrees "
        "(D) keeps the label but makes upside-down animals, which the model never has to "
        "recognise; a 24 x 24 crop (G) may not show the animal at all. The notebook's augmentation "
        "uses A, C, E and F, plus small shifts (RandomTranslation)."
    ),
)


# --------------------------------------------------------------------------- q3: reading curves

Q3_RUN_A = {"training": (0.62, 0.71, 0.80, 0.88, 0.95, 0.98), "validation": (0.60, 0.66, 0.70, 0.71, 0.70, 0.69)}
Q3_RUN_B = {"training": (0.55, 0.58, 0.60, 0.62, 0.64, 0.66), "validation": (0.56, 0.59, 0.61, 0.63, 0.65, 0.66)}
Q3_EXPECTED = ("overfitting", "underfitting")
_Q3_WORDS = {"overfitting", "underfitting", "good fit"}
_Q3_ALIASES = {
    "over": "overfitting",
    "overfit": "overfitting",
    "under": "underfitting",
    "underfit": "underfitting",
    "good": "good fit",
    "goodfit": "good fit",
    "fine": "good fit",
}


def _word(item: Any) -> str:
    if not isinstance(item, str):
        raise Wrong(f"each diagnosis is a word: 'overfitting', 'underfitting' or 'good fit'; {item!r} is not.")
    key = "".join(ch for ch in item.lower() if ch.isalpha())
    text = {"overfitting": "overfitting", "underfitting": "underfitting"}.get(key) or _Q3_ALIASES.get(key, key)
    if text not in _Q3_WORDS:
        raise Wrong(f"{item!r} is not one of 'overfitting', 'underfitting' or 'good fit'.")
    return text


def _check_q3(answer: Any) -> str:
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong("give two words, one per run, as a pair: ('...', '...') for run A and run B.")
    a, b = (_word(x) for x in answer)
    if (a, b) == Q3_EXPECTED:
        return (
            "Run A: training accuracy climbs to 0.98 while validation peaks at 0.71 in epoch 4 and "
            "then falls: the model learns its training images by heart. Run B: both curves are low "
            "and still rising together: the model has not learned enough yet (train longer, or use "
            "a larger model)."
        )
    if (a, b) == Q3_EXPECTED[::-1]:
        raise Wrong("you swapped the two runs. Which one has a large gap between training and validation?")
    raise Wrong(" ".join(([_not_a(a)] if a != "overfitting" else []) + ([_not_b(b)] if b != "underfitting" else [])))


def _not_a(word: str) -> str:
    return (
        f"Run A is not '{word}': its training accuracy reaches 0.98, but validation stops at about 0.70 "
        f"and even falls: a gap of almost 0.3 that grows with every epoch."
    )


def _not_b(word: str) -> str:
    return (
        f"Run B is not '{word}': training and validation accuracy are close, but both are low (0.66 after "
        f"6 epochs) and still rising: the model has not learned enough yet."
    )


q3 = Check(
    _check_q3,
    answer=Q3_EXPECTED,
    title="overfitting or underfitting",
    hint=(
        "Look at two things: the gap between training and validation accuracy, and whether "
        "the curves are still rising. A large, growing gap means one thing; both curves low and "
        "close together means the other."
    ),
    solution=(
        "`('overfitting', 'underfitting')`. Run A's training accuracy reaches 0.98 while its "
        "validation accuracy stalls at about 0.70 and then falls: overfitting, as the baseline "
        "of this notebook shows. Run B's curves are close together but low and still rising: "
        "underfitting, cured by training longer or with a larger model."
    ),
)

# ===================================================================== code exercises
# q4: an augmentation block. The learner writes make_augmentation(); the checker runs the block
# on a batch of small random photos in training and at inference, and reads its layers' settings.


Q4_MAX_ROTATION = 0.1  # a fraction of a full turn: 0.1 is up to 36 degrees either way


def _q4_batch() -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")


def _q4_changes_at_inference(block, batch) -> str:
    """The name of the first layer of ``block`` that changes the batch at inference, or ''."""
    for position, layer in enumerate(getattr(block, "layers", [block]), start=1):
        if not np.allclose(_output(layer, batch, training=False), batch, atol=1e-4):
            return f"layer {position} ({type(layer).__name__})"
    return ""


def _check_q4(answer: Any) -> str:
    block = _call(answer, what="make_augmentation()")
    if isinstance(block, (list, tuple)):
        raise Wrong("make_augmentation() returned a list of layers; wrap them in one block: keras.Sequential([...]).")
    block = _expect_layer(block, "make_augmentation()")
    batch = _q4_batch()
    at_inference = _output(block, batch, training=False)
    if at_inference.shape != batch.shape:
        raise Wrong(
            f"the block turns a batch of shape {batch.shape} into {at_inference.shape}; augmentation "
            f"must keep the shape of the images."
        )
    if not np.allclose(at_inference, batch, atol=1e-4):
        culprit = _q4_changes_at_inference(block, batch)
        where = f": {culprit} changes them" if culprit else ""
        raise Wrong(
            f"at inference (training=False) the block changes the images{where}. At inference an "
            f"augmentation block must pass them through unchanged; use only Keras' Random* layers "
            f"and keep preprocessing such as Rescaling out of it."
        )
    first, second = (_output(block, batch, training=True) for _ in range(2))
    if np.allclose(first, batch, atol=1e-4):
        raise Wrong("in training (training=True) the block leaves the images unchanged, so it augments nothing.")
    if np.allclose(first, second, atol=1e-4):
        raise Wrong(
            "two calls in training changed the images in the same way; augmentation must draw new "
            "random changes at every call (no fixed seed per call, no fixed transformation)."
        )
    flips, rotations = (
        [layer for layer in [block, *layers_in(block)] if isinstance(layer, kind)]
        for kind in (keras.layers.RandomFlip, keras.layers.RandomRotation)
    )
    if not flips:
        raise Wrong(
            'the block has no RandomFlip layer; add keras.layers.RandomFlip("horizontal"): a cat '
            "looking left is as much a cat as one looking right."
        )
    vertical = [flip for flip in flips if flip.mode != "horizontal"]
    if vertical:
        mode = vertical[0].mode
        what = (
            "flips photos upside down only, never left-right"
            if mode == "vertical"
            else "flips photos left-right and also upside down"
        )
        raise Wrong(
            f'RandomFlip("{mode}") {what}, and pets are not photographed upside down; use RandomFlip("horizontal").'
        )
    if not rotations:
        raise Wrong(
            "the block has no RandomRotation layer; add keras.layers.RandomRotation(0.05), a small tilt either way."
        )
    factor = rotations[0].factor
    largest = max(abs(float(f)) for f in (factor if isinstance(factor, (tuple, list)) else (factor,)))
    if largest > Q4_MAX_ROTATION:
        raise Wrong(
            f"RandomRotation({largest:g}) turns photos by up to {largest * 360:.0f} degrees; the factor is "
            f"a fraction of a full turn, so keep it at most {Q4_MAX_ROTATION} (36 degrees)."
        )
    return (
        "random in training, a new draw at every call, and the identity at inference, so it can sit "
        "inside the model: fit trains on altered photos, evaluate and predict see the real ones."
    )


# fmt: off
def _q4_solution():
    return keras.Sequential([
        keras.layers.RandomFlip("horizontal"),
        keras.layers.RandomRotation(0.05),
        keras.layers.RandomZoom(0.1),
    ])
# fmt: on


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="make_augmentation",
    title="an augmentation block",
    hint='keras.Sequential of Keras\' Random* layers: RandomFlip("horizontal") and RandomRotation '
    "with a small factor such as 0.05 (a fraction of a full turn); RandomZoom may join them. These "
    "layers act only when called with training=True, as fit does.",
    solution=code_of(_q4_solution, "make_augmentation"),
)
