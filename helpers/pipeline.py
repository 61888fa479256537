"""Feeding arrays that are already in memory to ``fit``, without the input pipeline's stalls.

``model.fit(x, y, batch_size=...)`` turns NumPy arrays into a ``tf.data`` pipeline of its
own, with tf.data's autotuner on. On a 2-core CPU the autotuner sometimes holds an epoch's
first batch back for seconds (up to half a minute, measured in notebook 07): it spends the
cores on tuning a pipeline that has nothing to tune, because every batch is a slice of an
array in memory. ``in_memory`` builds the same batches, shuffled the same way each epoch,
with the autotuner off, and nothing else changes::

    model.fit(in_memory(x_train, y_train, 64, shuffle=True), validation_data=in_memory(x_val, y_val, 64), epochs=5)

Notebook 09 builds such a pipeline by hand and explains each step.
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
    ``helpers.start`` sets). The last batch may be smaller, as with ``fit(x, y)``. The arrays are
    converted to tensors once and every batch is gathered from them: one copy, as ``fit`` makes.
    """
    import tensorflow as tf

    data = x if y is None else (x, y)
    tensors = tf.nest.map_structure(tf.convert_to_tensor, data)
    sizes = {int(t.shape[0]) for t in tf.nest.flatten(tensors)}
    if len(sizes) != 1:
        raise ValueError(f"in_memory: every array needs the same number of examples, got {sorted(sizes)}")
    if batch_size < 1:
        raise ValueError(f"in_memory: batch_size must be at least 1, not {batch_size}")
    (count,) = sizes
    order = tf.data.Dataset.range(count)
    if shuffle:
        order = order.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    batches = order.batch(batch_size).map(lambda i: tf.nest.map_structure(lambda t: tf.gather(t, i), tensors))
    return batches.prefetch(1).with_options(_options())
