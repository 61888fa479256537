"""The NumPy references agree with TensorFlow and Keras to float tolerance."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import reference as R

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv2d_matches_tf_nn_conv2d(padding, stride):
    x = RNG.normal(size=(2, 11, 9, 3)).astype(np.float32)
    k = RNG.normal(size=(3, 4, 3, 5)).astype(np.float32)
    b = RNG.normal(size=5).astype(np.float32)
    expected = tf.nn.conv2d(x, k, strides=stride, padding=padding.upper()).numpy() + b
    np.testing.assert_allclose(R.conv2d(x, k, b, stride=stride, padding=padding), expected, atol=1e-4)


def test_conv2d_matches_a_keras_conv2d_layer_and_its_parameter_count():
    layer = keras.layers.Conv2D(4, 3, padding="same")
    x = RNG.normal(size=(1, 8, 8, 3)).astype(np.float32)
    y = layer(x).numpy()
    kernel, bias = (w.numpy() for w in layer.weights)
    np.testing.assert_allclose(R.conv2d(x, kernel, bias, padding="same"), y, atol=1e-4)
    assert layer.count_params() == R.conv_params(3, 3, 3, 4) == 112


@pytest.mark.parametrize("k_in,k_out,params", [(3, 32, 896), (32, 64, 18496)])
def test_conv_params_formula(k_in, k_out, params):
    assert R.conv_params(3, 3, k_in, k_out) == params


@pytest.mark.parametrize("n,k,p,s", [(28, 3, 0, 1), (26, 2, 0, 2), (32, 5, 2, 1), (7, 3, 1, 2), (300, 3, 0, 1)])
def test_output_size_formula_matches_keras(n, k, p, s):
    x = np.zeros((1, n + 2 * p, n + 2 * p, 1), np.float32)
    out = keras.layers.Conv2D(1, k, strides=s)(x)
    assert out.shape[1] == R.output_size(n, k, padding=p, stride=s)


def test_convolution_is_cross_correlation_with_a_flipped_kernel():
    image = RNG.normal(size=(6, 6))
    kernel = np.arange(9.0).reshape(3, 3)
    assert not np.allclose(R.convolve2d(image, kernel), R.correlate2d(image, kernel))
    np.testing.assert_allclose(R.convolve2d(image, kernel), R.correlate2d(image, kernel[::-1, ::-1]))


def test_convolution_matrix_does_the_same_as_the_kernel():
    image = RNG.normal(size=(5, 6))
    kernel = RNG.normal(size=(3, 3))
    matrix = R.convolution_matrix(kernel, image.shape)
    np.testing.assert_allclose(matrix @ image.ravel(), R.correlate2d(image, kernel).ravel())
    assert (np.count_nonzero(matrix, axis=1) <= 9).all()


@pytest.mark.parametrize("mode,layer", [("max", "MaxPooling2D"), ("avg", "AveragePooling2D")])
@pytest.mark.parametrize("size,stride,padding", [(2, None, "valid"), (3, 2, "valid"), (2, 1, "same"), (3, 2, "same")])
def test_pooling_matches_keras(mode, layer, size, stride, padding):
    x = RNG.normal(size=(2, 9, 7, 3)).astype(np.float32)
    expected = getattr(keras.layers, layer)(size, strides=stride, padding=padding)(x).numpy()
    got = np.stack([R.pool2d(img, size=size, stride=stride, mode=mode, padding=padding) for img in x])
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_max_pooling_of_one_window_and_halving():
    assert R.pool2d(np.array([[1, 2], [3, 4]]), size=2)[0, 0] == 4
    assert R.pool2d(np.zeros((26, 26)), size=2).shape == (13, 13)


def test_global_average_and_depthwise_pooling():
    x = RNG.normal(size=(2, 5, 5, 6)).astype(np.float32)
    np.testing.assert_allclose(R.global_average_pool(x), keras.layers.GlobalAveragePooling2D()(x).numpy(), atol=1e-6)
    expected = tf.reduce_max(tf.reshape(x[0], (5, 5, 2, 3)), axis=-1).numpy()
    np.testing.assert_allclose(R.depthwise_max_pool(x[0], 3), expected)


@pytest.mark.parametrize(
    "name,keras_fn",
    [
        ("relu", lambda x: keras.activations.relu(x)),
        ("leaky_relu", lambda x: keras.activations.leaky_relu(x, negative_slope=0.2)),
        ("elu", lambda x: keras.activations.elu(x)),
        ("sigmoid", lambda x: keras.activations.sigmoid(x)),
        ("tanh", lambda x: keras.activations.tanh(x)),
    ],
)
def test_activations_and_their_derivatives_match_keras(name, keras_fn):
    x = np.linspace(-6, 6, 121).astype(np.float32)
    x = x[np.abs(x) > 1e-3]  # the kink at 0 has no single slope
    np.testing.assert_allclose(getattr(R, name)(x), keras_fn(x).numpy(), atol=1e-5)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = keras_fn(xt)
    np.testing.assert_allclose(R.DERIVATIVES[name](x), tape.gradient(y, xt).numpy(), atol=1e-5)


def test_softmax_is_stable_and_matches_keras():
    z = np.array([[1000.0, 1001.0, 1002.0], [0.1, -2.0, 3.0]])
    p = R.softmax(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(p[1], keras.activations.softmax(z[1:].astype(np.float32)).numpy()[0], atol=1e-6)
    np.testing.assert_allclose(p[0], p[0] * 0 + R.softmax(np.array([0.0, 1.0, 2.0])), atol=1e-12)
