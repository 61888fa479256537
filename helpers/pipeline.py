"""Feeding arrays that are already in memory to ``fit``, without the input pipeline's stalls.

``model.fit(x, y, batch_size=...)`` turns NumPy arrays into a ``tf.data`` pipeline of its
own, with tf.data's autotuner on. On a small CPU the autotuner sometimes holds an epoch's first
batch back for seconds: it spends the cores on tuning a pipeline that has nothing to tune,
because every batch is a slice of an array in memory. ``in_memory`` builds the same batches,
reshuffled every epoch, with the autotuner off, and nothing else changes::

    model.fit(in_memory(x_train, y_train, 64, shuffle=True), validation_data=in_memory(x_val, y_val, 64),
              epochs=5, shuffle=False)

(``shuffle=False`` only tells ``fit`` that the batches come shuffled already.) Each batch is
gathered from the NumPy arrays themselves, so no second copy of the data is made. Notebook 09
builds a pipeline with the same option by hand and explains each step.
"""

from __future__ import annotations


def _options():
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False  # nothing to tune: every batch is a slice of memory
    return options


def in_memory(x, y=None, batch_size: int = 32, *, shuffle: bool = False, seed: int | None = None):
    """A ``tf.data.Dataset`` of ``(x, y)`` batches (or ``x`` batches when ``y`` is None), autotuner off.

    ``x`` and ``y`` are arrays with the examples along the first axis, or tuples/dicts of such
    arrays (several inputs or outputs). With ``shuffle=True`` the order changes every epoch, the
    same sequence of orders for the same ``seed`` (``seed=None``: from the global seed that
    ``helpers.start`` sets). The last batch may be smaller, as with ``fit(x, y)``. Batches are
    gathered from the arrays as they are (a view, not a copy), so changing an array later changes
    what the pipeline gives.
    """
    import numpy as np
    import tensorflow as tf

    data = x if y is None else (x, y)
    arrays = [np.asarray(a) for a in tf.nest.flatten(data)]
    sizes = {len(a) for a in arrays}
    if len(sizes) != 1:
        raise ValueError(f"in_memory: every array needs the same number of examples, got {sorted(sizes)}")
    if batch_size < 1:
        raise ValueError(f"in_memory: batch_size must be at least 1, not {batch_size}")
    (count,) = sizes
    dtypes = [tf.as_dtype(a.dtype) for a in arrays]

    def gather(indices):  # NumPy: one batch of every array
        return [a[indices] for a in arrays]

    def load(indices):
        parts = tf.numpy_function(gather, [indices], dtypes, stateful=False)
        for part, a in zip(parts, arrays):
            part.set_shape((None,) + a.shape[1:])
        return tf.nest.pack_sequence_as(data, parts)

    order = tf.data.Dataset.range(count)
    if shuffle:
        order = order.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    return order.batch(batch_size).map(load).prefetch(1).with_options(_options())
