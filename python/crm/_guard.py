"""The one place where a Rust panic of the native module becomes :class:`crm.InternalError`.

Work the engine runs behind its own guard already reports a panic that way; this wrapper
covers every other entry point (methods, getters, ``__repr__``, conversions; constructors
only store their arguments), so that no
``pyo3_runtime.PanicException`` (a ``BaseException``, which ``except Exception`` misses)
ever reaches the caller.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable

from crm.exceptions import InternalError


def _is_panic(error: BaseException) -> bool:
    return type(error).__name__ == "PanicException" and type(error).__module__ == "pyo3_runtime"


def _guard(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as error:
            if not _is_panic(error):
                raise
            message = f"internal error in the crm engine (please report it): {error}"
            raise InternalError(message) from None

    return guarded


def _guard_class(cls: type) -> None:
    for name, member in list(vars(cls).items()):
        kind = type(member).__name__
        if kind == "getset_descriptor":

            def get(self: Any, _d: Any = member) -> Any:
                return _d.__get__(self, type(self))

            def set_(self: Any, value: Any, _d: Any = member) -> None:
                _d.__set__(self, value)

            setattr(cls, name, property(_guard(get), _guard(set_), doc=member.__doc__))
        elif kind == "classmethod_descriptor":

            def call(cls_: type, *args: Any, _d: Any = member, **kwargs: Any) -> Any:
                return _d.__get__(None, cls_)(*args, **kwargs)

            bound = member.__get__(None, cls)
            call.__name__, call.__qualname__, call.__doc__ = name, f"{cls.__name__}.{name}", member.__doc__
            try:
                signature = inspect.signature(bound)
            except ValueError:  # no text signature: inspect shows (*args, **kwargs)
                signature = None
            if signature is not None:
                first = inspect.Parameter("cls", inspect.Parameter.POSITIONAL_ONLY)
                parameters = [first, *signature.parameters.values()]
                call.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
            setattr(cls, name, classmethod(_guard(call)))
        elif kind in ("method_descriptor", "wrapper_descriptor"):
            setattr(cls, name, _guard(member))


def install(module: types.ModuleType) -> None:
    """Guards every class and function of the native module, in place."""
    for name, value in list(vars(module).items()):
        if isinstance(value, type) and value.__module__.startswith("crm"):
            _guard_class(value)
        elif isinstance(value, types.BuiltinFunctionType):
            setattr(module, name, _guard(value))
