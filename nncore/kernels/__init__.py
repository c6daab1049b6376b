"""The Numba kernels the JIT tier (:mod:`nncore.jit`) is built from.

Kernels take arrays already validated and laid out as their docstrings say,
write into buffers the caller allocates, and check nothing. Compiler settings
live in :mod:`nncore.kernels.config` only.

* :mod:`~nncore.kernels.simdmath`: vectorizable exp, tanh, sigmoid, log, log1m;
* :mod:`~nncore.kernels.elementwise`: activations, their derivatives, the cross-entropy;
* :mod:`~nncore.kernels.gemm`: register-blocked matrix products;
* :mod:`~nncore.kernels.partition` and :mod:`~nncore.kernels.layout`: how work
  is cut among threads and how a network's input is read;
* :mod:`~nncore.kernels.dense`: one dense layer's fused forward, backprop and gradient passes;
* :mod:`~nncore.kernels.packed`: an L-layer network in flat buffers and its compiled training loop;
* :mod:`~nncore.kernels.logistic`: logistic regression in one pass over X per iteration;
* :mod:`~nncore.kernels.basics`: the course's NumPy basics (softmax, row norms, losses, dot).
"""
