"""NumPy reference implementations: the operations of a CNN written out plainly.

They are slow on purpose: every loop is visible. The notebooks show their source
and assert that TensorFlow/Keras computes the same numbers; the tests do too.
Images are channels-last, as in Keras: one image is (H, W) or (H, W, C), a batch
is (N, H, W, C).
"""

from __future__ import annotations

import math

import numpy as np


def output_size(n: int, k: int, *, padding: int = 0, stride: int = 1) -> int:
    """Output length along one axis: ``floor((n + 2p - k) / s) + 1``."""
    return (n + 2 * padding - k) // stride + 1


def same_padding(n: int, k: int, stride: int = 1) -> tuple[int, int]:
    """(before, after) zero padding that TensorFlow's ``padding="same"`` adds along one axis."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def correlate2d(image: np.ndarray, kernel: np.ndarray, *, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Slide ``kernel`` over a 2-D ``image``; each output is the sum of the element-wise product.

    This is cross-correlation, which deep-learning libraries call convolution.
    ``padding`` is ``"valid"`` (no padding) or ``"same"`` (zeros, as TensorFlow adds them).
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    if padding == "same":
        image = np.pad(image, (same_padding(image.shape[0], kh, stride), same_padding(image.shape[1], kw, stride)))
    elif padding != "valid":
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    oh = output_size(image.shape[0], kh, stride=stride)
    ow = output_size(image.shape[1], kw, stride=stride)
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = image[i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[i, j] = np.sum(patch * kernel)
    return out


def convolve2d(image: np.ndarray, kernel: np.ndarray, **kwargs) -> np.ndarray:
    """Mathematical convolution: cross-correlation with the kernel flipped in both axes."""
    return correlate2d(image, np.flip(np.asarray(kernel), axis=(0, 1)), **kwargs)


def conv2d(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    stride: int = 1,
    padding: str = "valid",
) -> np.ndarray:
    """What a ``Conv2D`` layer computes (before its activation), for a batch.

    ``images`` is (N, H, W, C_in), ``kernels`` is (k_h, k_w, C_in, C_out), ``bias``
    is (C_out,). Output channel ``o`` is the sum over input channels ``c`` of
    ``correlate2d(images[n, :, :, c], kernels[:, :, c, o])``, plus ``bias[o]``.
    """
    images = np.asarray(images, dtype=np.float64)
    kernels = np.asarray(kernels, dtype=np.float64)
    n, h, w, c_in = images.shape
    kh, kw, k_in, c_out = kernels.shape
    if k_in != c_in:
        raise ValueError(f"the kernels expect {k_in} input channels but the images have {c_in}")
    oh = output_size(h, kh, stride=stride) if padding == "valid" else math.ceil(h / stride)
    ow = output_size(w, kw, stride=stride) if padding == "valid" else math.ceil(w / stride)
    out = np.zeros((n, oh, ow, c_out))
    for b in range(n):
        for o in range(c_out):
            for c in range(c_in):
                out[b, :, :, o] += correlate2d(images[b, :, :, c], kernels[:, :, c, o], stride=stride, padding=padding)
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64)
    return out


def conv_params(k_h: int, k_w: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """Trainable parameters of a Conv2D layer: ``(k_h * k_w * c_in + 1) * c_out``."""
    return (k_h * k_w * c_in + int(bias)) * c_out


def convolution_matrix(kernel: np.ndarray, in_shape: tuple[int, int]) -> np.ndarray:
    """The matrix ``M`` with ``M @ image.ravel() == correlate2d(image, kernel).ravel()`` ("valid", stride 1).

    Each row holds the kernel's weights at the positions of one output pixel's
    window and zeros elsewhere: the same few weights, shared by every row.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    h, w = in_shape
    kh, kw = kernel.shape
    oh, ow = h - kh + 1, w - kw + 1
    matrix = np.zeros((oh * ow, h * w))
    for i in range(oh):
        for j in range(ow):
            row = np.zeros((h, w))
            row[i : i + kh, j : j + kw] = kernel
            matrix[i * ow + j] = row.ravel()
    return matrix


def pool2d(
    image: np.ndarray, *, size: int = 2, stride: int | None = None, mode: str = "max", padding: str = "valid"
) -> np.ndarray:
    """Max or average pooling of one (H, W) or (H, W, C) image, channel by channel.

    ``stride`` defaults to ``size`` (windows that do not overlap), as in Keras.
    With ``padding="same"`` the windows at the border see only the real pixels.
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
    stride = stride or size
    image = np.asarray(image, dtype=np.float64)
    squeeze = image.ndim == 2
    if squeeze:
        image = image[:, :, None]
    h, w, c = image.shape
    if padding == "same":
        (top, _), (left, _) = same_padding(h, size, stride), same_padding(w, size, stride)
        oh, ow = math.ceil(h / stride), math.ceil(w / stride)
    elif padding == "valid":
        top = left = 0
        oh, ow = output_size(h, size, stride=stride), output_size(w, size, stride=stride)
    else:
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    out = np.zeros((oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride - top, j * stride - left
            window = image[max(r0, 0) : r0 + size, max(c0, 0) : c0 + size]
            out[i, j] = window.max(axis=(0, 1)) if mode == "max" else window.mean(axis=(0, 1))
    return out[:, :, 0] if squeeze else out


def global_average_pool(images: np.ndarray) -> np.ndarray:
    """The mean of each feature map: (N, H, W, C) -> (N, C)."""
    return np.asarray(images, dtype=np.float64).mean(axis=(1, 2))


def depthwise_max_pool(image: np.ndarray, size: int) -> np.ndarray:
    """Max over groups of ``size`` neighbouring channels: (H, W, C) -> (H, W, C // size)."""
    image = np.asarray(image, dtype=np.float64)
    h, w, c = image.shape
    if c % size:
        raise ValueError(f"{c} channels cannot be split into groups of {size}")
    return image.reshape(h, w, c // size, size).max(axis=-1)


# ------------------------------------------------------------------ activations


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x)."""
    return np.maximum(0.0, x)


def leaky_relu(x: np.ndarray, alpha: float = 0.2) -> np.ndarray:
    """x for x > 0, alpha * x otherwise (Keras' LeakyReLU uses ``negative_slope=0.3`` by default)."""
    return np.where(x > 0, x, alpha * x)


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def tanh(x: np.ndarray) -> np.ndarray:
    """The hyperbolic tangent."""
    return np.tanh(x)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(z_i) / sum_j exp(z_j), computed stably by first subtracting max(z)."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


DERIVATIVES = {
    "relu": lambda x, **k: (np.asarray(x) > 0).astype(float),
    "leaky_relu": lambda x, alpha=0.2: np.where(np.asarray(x) > 0, 1.0, alpha),
    "elu": lambda x, alpha=1.0: np.where(np.asarray(x) > 0, 1.0, alpha * np.exp(np.minimum(x, 0))),
    "sigmoid": lambda x, **k: sigmoid(x) * (1 - sigmoid(x)),
    "tanh": lambda x, **k: 1 - np.tanh(x) ** 2,
}
"""Derivative of each activation above, by name (used for the slope plots)."""
