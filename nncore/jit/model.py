"""The JIT tier's L-layer model: public wrappers over :mod:`nncore.jit.network`."""

import numba
import numpy as np

from nncore.errors import TrainingDiverged
from nncore.interface import implements, layer_by_layer, probability_bounds
from nncore.jit import network
from nncore.jit.elementwise import cross_entropy
from nncore.jit.layers import linear_activation_forward


@implements
def model_forward(X, parameters, activations):
    """The fused layer kernel layer by layer, keeping Z and A of each layer for the caches."""
    return layer_by_layer(linear_activation_forward.kernel, X, parameters, activations)


@implements
def compute_cost(AL, Y):
    """A compiled loop accumulating in float64."""
    return cross_entropy(np.ascontiguousarray(AL).reshape(-1), np.ascontiguousarray(Y).reshape(-1),
                         *probability_bounds(AL.dtype))


@implements
def model_backward(AL, Y, caches, activations):
    """The compiled backward pass of ``train`` on the caches' outputs; no gradient for X."""
    parameters = {}
    for l, cache in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = cache.W, cache.b
    packed = network.Packed(parameters, activations)
    X, transposed = network.input_layout(caches[0].A_prev, copy=False)
    m = AL.shape[1]
    acts = np.empty(packed.activation_size(m), AL.dtype)
    for l, cache in enumerate(caches):
        A = AL if l == len(caches) - 1 else cache.A
        if A is None:
            A = linear_activation_forward.kernel(cache.A_prev, cache.W, cache.b, activations[l])[0]
        network.layer_block(acts, packed.dims, m, l)[:] = A
    grad = np.empty_like(packed.theta)
    network.backward_kernel(X, transposed, np.ascontiguousarray(Y).reshape(-1), packed.theta, packed.dims,
                            packed.codes, acts, np.empty_like(acts), grad, numba.get_num_threads())
    return {"d" + key: value for key, value in packed.unpack(grad).items()}


@implements
def update_parameters(parameters, grads, learning_rate):
    """``W - learning_rate * dW`` into new arrays (NumPy: one pass per array, nothing to fuse)."""
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}


@implements
def train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every=100):
    """Every iteration runs inside one compiled loop over buffers allocated once.

    Wide inputs are read one sample per row (free when X is Fortran-ordered,
    as ``flatten_images`` returns it; one copy per call otherwise).
    """
    packed = network.Packed(parameters, activations)
    X, transposed = network.input_layout(X)
    m = X.shape[0] if transposed else X.shape[1]
    acts = np.empty(packed.activation_size(m), X.dtype)
    costs = np.zeros(-(-num_iterations // cost_every), np.float64)
    theta = packed.theta
    diverged_at, last_finite = network.train_loop(
        X, transposed, np.ascontiguousarray(Y).reshape(-1), theta, packed.dims, packed.codes, learning_rate,
        num_iterations, cost_every, costs, *probability_bounds(X.dtype), acts, np.empty_like(acts),
        np.empty_like(theta), numba.get_num_threads())
    if diverged_at >= 0:
        raise TrainingDiverged(diverged_at, learning_rate, None if last_finite < 0 else last_finite)
    return packed.unpack(theta), costs


@implements
def predict(X, parameters, activations):
    """The compiled forward pass of ``train``, then ``AL > 0.5``."""
    packed = network.Packed(parameters, activations)
    X, transposed = network.input_layout(X, copy=False)
    m = X.shape[0] if transposed else X.shape[1]
    acts = np.empty(packed.activation_size(m), X.dtype)
    AL = network.forward_kernel(X, transposed, packed.theta, packed.dims, packed.codes, acts,
                                numba.get_num_threads())
    return (AL > 0.5).astype(X.dtype)
