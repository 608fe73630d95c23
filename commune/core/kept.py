"""What a process keeps across requests holds plain values only, never an ORM object.

A mapped instance belongs to the session of the request that loaded it. Kept past that request
(in an app-wide dict, an lru_cache, a module global) it is detached: the next request that reads
one of its expired attributes fails with DetachedInstanceError, and only on a *running* server,
where one process answers many visitors (a fresh app per test never sees it). So every store that
outlives a request goes through this module, and `plain()` refuses, at the moment of keeping, any
value that holds a mapped instance, a result row, a session or anything else bound to one, at any
depth (inside lists, tuples, dicts, sets, dataclasses and the attributes of our own objects).

- `plain(value)` returns `value` or raises NotPlain naming the path to the offending part.
- `KeptDict` is a dict whose every stored value passes `plain()` (app-wide stores).
- `memo(maxsize)` is functools.lru_cache whose results pass `plain()` (module-level memos).
- `app_store(name)` is this app's KeptDict called `name` (current_app.extensions[name]).

tests/foundation/test_kept.py also scans the code: a new lru_cache, functools.cache or app-wide
store written without this module fails the suite.
"""
import dataclasses
import enum
import functools
import re
import threading
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Result, Row
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import InstanceState, Query, Session, scoped_session

_ATOMS = (type(None), bool, int, float, complex, str, bytes, Decimal, date, datetime, time, timedelta,
          uuid.UUID, enum.Enum, re.Pattern, range)
_SESSION_BOUND = (Session, scoped_session, Row, Result, Query, InstanceState)
# Objects that hold no data of their own worth walking (locks, functions, classes).
_OPAQUE = (type, type(threading.Lock()), type(threading.RLock()), threading.Condition, threading.Event,
           type(len), type(lambda: 0), functools.partial)


class NotPlain(TypeError):
    """A value kept across requests holds something bound to a database session."""


def _mapped(value):
    try:
        return isinstance(sa_inspect(value), InstanceState)
    except NoInspectionAvailable:
        return False


def _attributes(value):
    found = dict(getattr(value, "__dict__", {}) or {})
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and hasattr(value, slot):
                found.setdefault(slot, getattr(value, slot))
    return found


def _check(value, path, seen):
    if isinstance(value, _ATOMS) or isinstance(value, _OPAQUE):
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, _SESSION_BOUND) or _mapped(value):
        raise NotPlain(f"{path} is {type(value).__name__}, bound to a database session: keep plain values "
                       "(ids, strings, numbers, tuples, dataclasses) across requests, never ORM objects")
    if isinstance(value, dict):
        for key, item in value.items():
            _check(key, f"{path} key {key!r}", seen)
            _check(item, f"{path}[{key!r}]", seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]", seen)
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            _check(getattr(value, item.name), f"{path}.{item.name}", seen)
    elif type(value).__module__.startswith("commune."):  # our own objects: what they hold
        for name, item in _attributes(value).items():
            _check(item, f"{path}.{name}", seen)


def plain(value, what="kept value"):
    """`value` itself, once checked to hold nothing bound to a database session (else NotPlain)."""
    _check(value, what, set())
    return value


class KeptDict(dict):
    """A dict kept across requests: every value stored is checked by plain()."""

    def __init__(self, name="kept"):
        super().__init__()
        self.name = name

    def __setitem__(self, key, value):
        super().__setitem__(key, plain(value, f"{self.name}[{key!r}]"))

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


def app_store(name):
    """This app's KeptDict `name` (made on first use)."""
    from flask import current_app

    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, KeptDict(name))
    return store


def memo(maxsize=128):
    """functools.lru_cache(maxsize) whose every result is checked by plain() before it is kept."""

    def decorate(function):
        @functools.lru_cache(maxsize=maxsize)
        @functools.wraps(function)
        def checked(*args, **kwargs):
            return plain(function(*args, **kwargs), f"{function.__qualname__}()")

        return checked

    return decorate
