"""Records: the dataclasses' behaviour for the domain's classes, without their cost at every start.

A record is declared as a dataclass is (annotated fields in order, defaults, ``field(default_factory=…)``)
and behaves as ``@dataclass(frozen=True)`` makes it: a keyword-or-positional ``__init__`` with those
defaults, equality and hash over the fields in order (only with a record of the same class), the
dataclass's ``repr`` text, assignment refused, and ``replace`` / ``fields`` in place of the
``dataclasses`` functions. ``frozen=False`` gives a mutable record (unhashable, as a dataclass with
``eq=True``). tests/test_records.py compares every record with the dataclass it stands for.

Why not ``dataclasses`` (docs/decisions.md, "Records instead of dataclasses"): the decorator writes each
class's methods as source text and compiles them when the module is imported, and imports ``inspect``
for it; for the forty classes a command loads, that was about half of the product's import time, paid
by every command and every classic xlwings click (a new Python each). Here the methods are written
once, below, and shared; a class costs only reading its annotations.
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["MISSING", "FrozenRecordError", "Field", "Record", "field", "fields", "replace"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # no default


class FrozenRecordError(AttributeError):
    """Assigning to a frozen record's field (``dataclasses.FrozenInstanceError``'s counterpart)."""


class Field:
    """A field as ``fields`` gives it: its name, and its default or default factory (else ``MISSING``)."""

    __slots__ = ("name", "default", "default_factory")

    def __init__(self, name: str, default: object = MISSING, default_factory: object = MISSING) -> None:
        self.name, self.default, self.default_factory = name, default, default_factory

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make) -> None:
        self.make = make


def field(*, default_factory):
    """A field whose default is made anew for each record, as ``dataclasses.field(default_factory=…)``."""
    return _Factory(default_factory)


class Record:
    """The base of every record; a subclass's annotated fields (after those of a record it extends)
    are its fields. ``class Name(Record, frozen=False)`` for a mutable one."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _field_set: frozenset[str] = frozenset()
    _defaults: dict[str, object] = {}
    _factories: dict[str, object] = {}
    _frozen = True

    def __init_subclass__(cls, *, frozen: bool | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls._fields)
        defaults = dict(cls._defaults)
        factories = dict(cls._factories)
        # With ``from __future__ import annotations`` (every module here) the annotations are the source's
        # strings, never evaluated; without it, the objects.
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if str(annotation).replace("typing.", "").startswith("ClassVar"):
                continue
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, MISSING)
            defaults.pop(name, None)
            factories.pop(name, None)
            if isinstance(value, _Factory):
                factories[name] = value.make
                delattr(cls, name)  # as a dataclass leaves no class attribute for a factory's field
            elif value is not MISSING:
                if type(value) in (list, dict, set):  # one object shared by every record: refused, as by a dataclass
                    raise ValueError(f"{cls.__name__}.{name}: a mutable default {type(value).__name__} is "
                                     "not allowed: use field(default_factory=...)")
                defaults[name] = value
        for position, name in enumerate(names):  # as a dataclass: no field without a default after one with
            if name not in defaults and name not in factories and any(
                    earlier in defaults or earlier in factories for earlier in names[:position]):
                raise TypeError(f"{cls.__name__}: non-default argument {name!r} follows default argument")
        cls._fields = tuple(names)
        cls._field_set = frozenset(names)
        cls._defaults = defaults
        cls._factories = factories
        if frozen is not None:
            cls._frozen = frozen
        cls._values = staticmethod(_values_of(cls._fields))
        if not cls._frozen and "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # mutable and compared by value: unhashable, as a dataclass
        if "__init__" not in cls.__dict__:
            cls.__init__ = _init

    def __setattr__(self, name: str, value: object) -> None:
        if self._frozen:
            raise FrozenRecordError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen:
            raise FrozenRecordError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == self._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"


def _values_of(names: tuple[str, ...]):
    """A function giving a record's field values as one tuple (for equality and the hash)."""
    if len(names) == 1:  # attrgetter of one name gives the value itself, not a tuple
        only = names[0]
        return lambda record: (getattr(record, only),)
    if not names:
        return lambda record: ()
    return attrgetter(*names)


def _init(self: Record, *args: object, **kwargs: object) -> None:
    """The ``__init__`` of a record that writes none of its own: positional in the fields' order, or by
    name; a missing field takes its default (a factory's value made for this record)."""
    cls = type(self)
    names = cls._fields
    if len(args) > len(names):
        raise TypeError(f"{cls.__name__}() takes {len(names)} arguments but {len(args)} were given")
    values = dict(zip(names, args))
    for name in kwargs:
        if name in values:
            raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
        if name not in cls._field_set:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
    values.update(kwargs)
    if len(values) < len(names):
        for name in names:
            if name in values:
                continue
            if name in cls._defaults:
                values[name] = cls._defaults[name]
            elif name in cls._factories:
                values[name] = cls._factories[name]()
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
    self.__dict__.update({name: values[name] for name in names})  # in the fields' order, as a dataclass


def fields(record_or_class: Record | type[Record]) -> tuple[Field, ...]:
    """The fields in order, as ``dataclasses.fields``."""
    cls = record_or_class if isinstance(record_or_class, type) else type(record_or_class)
    return tuple(Field(name, cls._defaults.get(name, MISSING), cls._factories.get(name, MISSING))
                 for name in cls._fields)


def replace(record: Record, /, **changes: object) -> Record:
    """A copy of ``record`` with ``changes``, as ``dataclasses.replace``; the class's ``__init__`` is not
    run again (a record's ``__init__`` only stores its fields)."""
    cls = type(record)
    unknown = changes.keys() - cls._field_set
    if unknown:
        raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    copy = object.__new__(cls)
    values = copy.__dict__
    values.update(record.__dict__)
    values.update(changes)
    return copy
