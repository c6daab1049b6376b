"""The JIT tier's L-layer model: public wrappers over :mod:`nncore.kernels.packed`."""

import inspect

import numba
import numpy as np

from nncore._shared import layer_by_layer
from nncore.contract import implements
from nncore.errors import TrainingDiverged
from nncore.interface import probability_bounds
from nncore.jit import planner
from nncore.jit.layers import linear_activation_forward
from nncore.jit.logistic import optimize
from nncore.jit.slices import run_sliced
from nncore.kernels import dense, packed
from nncore.kernels.layout import input_layout
from nncore.validation import require_output


@implements
def model_forward(X, parameters, activations):
    """The fused layer kernel layer by layer, keeping Z and A of each layer for the caches."""
    return layer_by_layer(linear_activation_forward.unchecked, X, parameters, activations)


@implements
def model_backward(AL, Y, caches, activations):
    """The compiled backward pass of ``train`` on the caches' outputs; no gradient for X."""
    parameters = {}
    for l, cache in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = cache.W, cache.b
    net = packed.Packed(parameters, activations)
    X, transposed = input_layout(caches[0].A_prev, copy=False)
    m = AL.shape[1]
    acts = np.empty(net.activation_size(m), AL.dtype)
    for l, cache in enumerate(caches):
        A = AL if l == len(caches) - 1 else cache.A
        if A is None:
            A = linear_activation_forward.unchecked(cache.A_prev, cache.W, cache.b, activations[l])[0]
        packed.layer_block(acts, net.dims, m, l)[:] = A
    grad = np.empty_like(net.theta)
    threads = numba.get_num_threads()
    passes = ("backprop", "grads")
    plan = planner.network_plan(net.dims, net.codes, m, X.dtype, transposed, threads, X, passes)
    with planner.blas_threads_for(plan, passes):
        packed.backward_kernel(
            X,
            transposed,
            np.ascontiguousarray(Y).reshape(-1),
            net.theta,
            net.dims,
            net.codes,
            plan,
            acts,
            np.empty_like(acts),
            grad,
            threads,
            dense.part_table(X.dtype, (dense.BACKPROP_PART, dense.GRADS_PART)),
        )
    return {"d" + key: value for key, value in net.unpack(grad).items()}


@implements
def update_parameters(parameters, grads, learning_rate):
    """``W - learning_rate * dW`` into new arrays (NumPy: one pass per array, nothing to fuse)."""
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}


@implements
def train(X, Y, parameters, activations, learning_rate, num_iterations, cost_every=100):
    """Every iteration runs inside one compiled loop over buffers allocated once.

    Wide inputs are read one sample per row (free when X is Fortran-ordered,
    as ``flatten_images`` returns it; one copy per call otherwise). The loop
    runs in slices of about 30 ms (:mod:`nncore.jit.slices`), so Ctrl-C stops it. Each layer's
    passes take the paths the planner chose for this machine (:mod:`nncore.jit.planner`). A single
    sigmoid unit is logistic regression and trains as :func:`optimize` does: one fused pass over X
    per iteration instead of two.
    """
    if len(activations) == 1:
        return _train_one_unit(X, Y, parameters, learning_rate, num_iterations, cost_every)
    net, arguments = _loop_arguments(X, Y, parameters, activations, learning_rate)
    plan = arguments["plan"]

    def run(count, every, costs):
        return packed.train_loop(**arguments, num_iterations=count, cost_every=every, costs=costs)

    with planner.blas_threads_for(plan):
        costs, diverged_at, last_finite = run_sliced(run, num_iterations, cost_every)
    if diverged_at >= 0:
        raise TrainingDiverged(diverged_at, learning_rate, None if last_finite < 0 else last_finite)
    return net.unpack(arguments["theta"]), costs


def _loop_arguments(X, Y, parameters, activations, learning_rate, planned=True):
    """The packed network and :func:`nncore.kernels.packed.train_loop`'s arguments, by name, but for
    ``num_iterations``, ``cost_every`` and ``costs``; the buffers are allocated once here.

    With ``planned=False`` the plan is the rule of thumb's and the part table all zeros: arguments
    of the right types for :func:`loop_signature`, not to run the loop with.
    """
    net = packed.Packed(parameters, activations)
    X, transposed = input_layout(X)
    m = X.shape[0] if transposed else X.shape[1]
    acts = np.empty(net.activation_size(m), X.dtype)
    threads = numba.get_num_threads()
    lo, hi = probability_bounds(X.dtype)
    if planned:
        plan = planner.network_plan(net.dims, net.codes, m, X.dtype, transposed, threads, X)
        table = dense.part_table(X.dtype)
    else:
        plan = np.full((len(activations), 3), dense.ESTIMATE, np.int64)
        table = dense.part_table(X.dtype, ())  # no pass: every entry 0, nothing compiled
    arguments = dict(
        X=X, transposed=transposed, y=np.ascontiguousarray(Y).reshape(-1), theta=net.theta, dims=net.dims,
        codes=net.codes, plan=plan, learning_rate=learning_rate, lo=lo, hi=hi, acts=acts,
        deltas=np.empty_like(acts), grad=np.empty_like(net.theta), threads=threads, table=table,
    )  # fmt: skip
    return net, arguments


def loop_signature(X, Y, parameters, activations, learning_rate):
    """The argument types :func:`train` calls :func:`nncore.kernels.packed.train_loop` with, for these
    arguments: to compile the loop without running it (:mod:`nncore.jit.precompile`).

    Returns
    -------
    tuple of numba types
        In the loop's parameter order.
    """
    _, arguments = _loop_arguments(X, Y, parameters, activations, learning_rate, planned=False)
    arguments.update(num_iterations=1, cost_every=1, costs=np.zeros(1, np.float64))
    order = list(inspect.signature(packed.train_loop.py_func).parameters)
    return tuple(numba.typeof(arguments[name]) for name in order)


def _train_one_unit(X, Y, parameters, learning_rate, num_iterations, cost_every):
    """``train`` of a [n_x, 1] sigmoid network by logistic regression's compiled loop."""
    W1, b1 = parameters["W1"], parameters["b1"]
    trained, _, costs = optimize.unchecked(W1.T, float(b1[0, 0]), X, Y, num_iterations, learning_rate, cost_every)
    return {"W1": trained["w"].T.copy(), "b1": np.full((1, 1), trained["b"], W1.dtype)}, costs


@implements
def predict(X, parameters, activations):
    """The compiled forward pass of ``train``, then ``AL > 0.5``."""
    net = packed.Packed(parameters, activations)
    X, transposed = input_layout(X, copy=False)
    m = X.shape[0] if transposed else X.shape[1]
    acts = np.empty(net.activation_size(m), X.dtype)
    threads = numba.get_num_threads()
    plan = planner.network_plan(net.dims, net.codes, m, X.dtype, transposed, threads, X, ("forward",))
    with planner.blas_threads_for(plan, ("forward",)):
        table = dense.part_table(X.dtype, (dense.FORWARD_PART,))
        AL = packed.forward_kernel(X, transposed, net.theta, net.dims, net.codes, plan, acts, threads, table)
    require_output(AL)
    return (AL > 0.5).astype(X.dtype)
