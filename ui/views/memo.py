"""Render each screen once per change (issue 17 §6: Flet's diff costs ~1 ms of Python per control).

Flet subscribes a component to every observable argument it gets and re-renders it when that observable changes,
and re-renders every (non-memoised) child component whenever its parent renders. With the AppState handed to
every component, one click rendered a screen two or three times. Two tools:

    memo(View)(app, state)   # skip the render when the arguments are the same objects and no observable
                             # argument changed since the last render (Flet marks the component dirty then)
    quiet(app)               # the AppState without the subscription: for a heavy screen that only needs
                             # app's methods and texts; the parent passes what it must follow (lang) as props

A memoised component with only observable arguments is always correct: a change of one of them marks it
dirty, and a dirty component renders. It only stops the second, identical render of the same click.
"""
from __future__ import annotations

import flet as ft

_memos = {}


def memo(component):
    """`ft.memo(component)`, one wrapper per component (the wrapper is a plain function: cheap)."""
    wrapped = _memos.get(component)
    if wrapped is None:
        wrapped = _memos[component] = ft.memo(component)
    return wrapped


class Quiet:
    """Attribute access to an observable object (reads, writes, method calls) that is not itself observable, so
    that a component receiving it is not re-rendered on each of its changes. Equal when it wraps the same object
    (memoised components compare their arguments)."""

    __slots__ = ("_target",)

    def __init__(self, target):
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_target"), name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_target"), name, value)

    def __eq__(self, other):
        return isinstance(other, Quiet) and other._target is self._target

    def __hash__(self):
        return id(self._target)


def quiet(observable) -> Quiet:
    return observable if isinstance(observable, Quiet) else Quiet(observable)
