"""helpers.pipeline.in_memory: the batches fit(x, y) would make, with tf.data's autotuner off."""

import numpy as np
import pytest

from helpers.pipeline import in_memory


def _epoch(dataset):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(xs), np.concatenate(ys)


def test_every_example_once_per_epoch_in_order_without_shuffle():
    x = np.arange(10, dtype="float32").reshape(10, 1) * 10
    y = np.arange(10)
    ds = in_memory(x, y, 4)
    sizes = [len(b[1]) for b in ds]
    assert sizes == [4, 4, 2]  # the last batch is smaller, as with fit(x, y)
    xs, ys = _epoch(ds)
    np.testing.assert_array_equal(ys, y)
    np.testing.assert_array_equal(xs[:, 0], y * 10)  # images and labels stay paired


def test_shuffle_changes_the_order_each_epoch_and_keeps_pairs():
    x = np.arange(100, dtype="float32")
    y = np.arange(100) + 1000
    ds = in_memory(x, y, 16, shuffle=True, seed=3)
    first_x, first_y = _epoch(ds)
    second_x, second_y = _epoch(ds)
    assert sorted(first_y) == list(y) and sorted(second_y) == list(y)
    assert not np.array_equal(first_y, second_y)
    assert not np.array_equal(first_y, y)
    np.testing.assert_array_equal(first_y - 1000, first_x)
    again = _epoch(in_memory(x, y, 16, shuffle=True, seed=3))[1]
    np.testing.assert_array_equal(again, first_y)  # same seed, same order


def test_autotuner_is_off():
    ds = in_memory(np.zeros((8, 2), "float32"), np.zeros(8), 4)
    assert ds.options().autotune.enabled is False


def test_several_outputs_and_no_labels():
    x = np.arange(6, dtype="float32").reshape(6, 1)
    labels, boxes = np.arange(6), np.arange(24, dtype="float32").reshape(6, 4)
    batch_x, (batch_labels, batch_boxes) = next(iter(in_memory(x, (labels, boxes), 3)))
    np.testing.assert_array_equal(batch_boxes.numpy()[:, 0], batch_labels.numpy() * 4)
    only_x = next(iter(in_memory(x, batch_size=6)))
    assert only_x.shape == (6, 1)


def test_mismatched_lengths_and_bad_batch_size_are_refused():
    with pytest.raises(ValueError, match="same number of examples"):
        in_memory(np.zeros((5, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        in_memory(np.zeros((5, 1)), np.zeros(5), 0)


def test_fit_trains_from_it():
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(in_memory(x, y, 32, shuffle=True), epochs=5, shuffle=False, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_no_copy_of_the_data_is_made():
    # the batches are gathered from the NumPy array itself: a change to it shows in the next epoch
    x = np.zeros((6, 2), "float32")
    ds = in_memory(x, np.arange(6), 3)
    x[:, 0] = np.arange(6)
    np.testing.assert_array_equal(_epoch(ds)[0][:, 0], np.arange(6))


def test_shapes_and_dtypes_are_kept():
    x = np.zeros((10, 28, 28, 1), "uint8")
    batch_x, batch_y = next(iter(in_memory(x, np.zeros(10, "int64"), 4)))
    assert batch_x.dtype.name == "uint8" and batch_y.dtype.name == "int64"
    spec_x, spec_y = in_memory(x, np.zeros(10, "int64"), 4).element_spec
    assert tuple(spec_x.shape) == (None, 28, 28, 1) and tuple(spec_y.shape) == (None,)
