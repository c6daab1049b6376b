"""How a tier plugs into the interface: :func:`implements` and :func:`missing`.

:mod:`nncore.interface` says *what* each tier function is (its signature and
docstring); this module binds a tier's function to that contract: it checks
the signature at import, validates every call with :mod:`nncore.validation`
and composes the docstring.
"""

import functools
import inspect

from nncore import validation
from nncore.interface import FUNCTIONS, SPEC


def _binder(signature):
    """``(args, kwargs) -> {name: value}`` with the defaults filled in, as ``signature.bind`` does.

    Positional calls take a fast path (``bind`` and ``apply_defaults`` cost
    several times more, a noticeable part of a small layer's call; asv's
    ``bench_calls`` tracks it); keywords, and calls ``bind`` would refuse, go
    through ``bind`` for its checks and errors.
    """
    parameters = signature.parameters.values()
    names = tuple(signature.parameters)
    defaults = tuple(p.default for p in parameters if p.default is not inspect.Parameter.empty)
    # Positional-or-keyword parameters with defaults last: any count from `required` up binds in order.
    plain = all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
    required = len(names) - len(defaults)

    def bind(args, kwargs):
        if plain and not kwargs and required <= len(args) <= len(names):
            return dict(zip(names, args + defaults[len(args) - required :]))
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.arguments

    return bind


def implements(func=None, *, fast_call=None):
    """Register `func` as one tier's implementation of the interface function of its name.

    Used as ``@implements`` or ``@implements(fast_call=...)``.

    Parameters
    ----------
    func : callable
        Named and with a signature exactly as in :data:`SPEC`. Its docstring is
        the tier's note on how it computes the result.
    fast_call : callable, optional
        The tier's own path for the usual call, tried first on positional calls:
        it returns `func`'s result for these arguments, or ``NotImplemented``
        (then the call goes on as without it). It may return a result only when
        ``nncore.validation.FAST_CHECKS[name]`` would say True (the checker would
        return the arguments unchanged), so the contract is the same; the JIT
        tier uses it to test finiteness and compute in one compiled call.

    Returns
    -------
    callable
        A wrapper that validates and coerces the arguments with
        ``nncore.validation.CHECKS[name]``, then calls `func`; arguments
        that ``nncore.validation.FAST_CHECKS[name]`` finds valid as they are
        go to `func` without the checker (the same call, for less). Its
        ``unchecked`` attribute is `func`, its ``fast_call`` attribute `fast_call`.

    Raises
    ------
    TypeError
        At import time, when the name is not in the interface or the signature
        differs from the interface's.
    """
    if func is None:
        return functools.partial(implements, fast_call=fast_call)
    name = func.__name__
    if name not in SPEC:
        raise TypeError(f"{func.__module__}.{name} is not a function of the tier interface")
    expected = inspect.signature(SPEC[name])
    found = inspect.signature(func)
    if found != expected:
        raise TypeError(f"{func.__module__}.{name}{found} does not match the interface's {name}{expected}")
    check = validation.CHECKS[name]
    bind = _binder(expected)
    fast = validation.FAST_CHECKS.get(name)
    n_args = len(expected.parameters)
    if fast_call is not None and fast is None:
        raise TypeError(f"{func.__module__}.{name}: a fast_call needs a predicate in validation.FAST_CHECKS")

    if fast is None:

        @functools.wraps(func)
        def checked(*args, **kwargs):
            return func(**check(**bind(args, kwargs)))

    elif fast_call is None:

        @functools.wraps(func)
        def checked(*args, **kwargs):
            # Every argument positional and already valid, the usual call: the checker would return them as
            # they are (validation.FAST_CHECKS), so neither it nor the binding's dicts run. Anything else,
            # keywords included, takes the checker, for its conversions and its errors.
            if not kwargs and len(args) == n_args and fast(*args):
                return func(*args)
            return func(**check(**bind(args, kwargs)))

    else:

        @functools.wraps(func)
        def checked(*args, **kwargs):
            # As above, with the tier's own path for the usual call first.
            if not kwargs and len(args) == n_args:
                result = fast_call(*args)
                if result is not NotImplemented:
                    return result
                if fast(*args):
                    return func(*args)
            return func(**check(**bind(args, kwargs)))

    tier_note = inspect.cleandoc(func.__doc__ or "")
    checked.__doc__ = inspect.cleandoc(SPEC[name].__doc__) + (f"\n\nNotes\n-----\n{tier_note}" if tier_note else "")
    checked.unchecked = func
    checked.fast_call = fast_call
    return checked


def missing(namespace):
    """Names of the interface that `namespace` (a module or dict) does not define."""
    names = vars(namespace) if not isinstance(namespace, dict) else namespace
    return [name for name in FUNCTIONS if name not in names]
