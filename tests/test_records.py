"""Every record of the product behaves as ``@dataclass`` makes the same declaration (domain/records.py).

The twin of each record class is a real dataclass made from the class's own source: its annotated
field lines, with ``field`` meaning ``dataclasses.field``, decorated as the record says (frozen or not;
ordered for ``PersonalNumber``). The two are then compared in everything a dataclass gives: the fields
and their defaults, ``__init__`` (positional, by name, defaults, fresh factory values, the errors),
the instance's attributes in order, ``repr``, equality and hash, ``replace``, assignment refused.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import sys
import textwrap
from datetime import date

import pytest

import xl_addin
from xl_addin.domain import records
from xl_addin.domain.model import Attendance, Participant, Session
from xl_addin.domain.personal_number import PersonalNumber
from xl_addin.domain.records import FrozenRecordError, Record


def _product_modules() -> None:
    for module in pkgutil.walk_packages(xl_addin.__path__, "xl_addin."):
        importlib.import_module(module.name)


def _record_classes() -> list[type[Record]]:
    _product_modules()
    found, todo = [], list(Record.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


RECORDS = _record_classes()
# the records whose class writes out its own ``__init__`` (the others share records.py's ``*args, **kwargs`` one)
WRITTEN_OUT_INIT = {cls for cls in RECORDS if cls.__init__ is not records.Record.__init__ and not any(
    p.kind is p.VAR_POSITIONAL for p in inspect.signature(cls.__init__).parameters.values())}


def _twin(cls: type[Record]) -> type:
    """The dataclass the record's declaration makes: its annotated lines, under ``@dataclass``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = [node for node in tree.body[0].body if isinstance(node, ast.AnnAssign)]
    source = ast.unparse(ast.ClassDef(cls.__name__, [], [], body or [ast.Pass()], [], type_params=[])
                         if sys.version_info >= (3, 12) else
                         ast.ClassDef(cls.__name__, [], [], body or [ast.Pass()], []))
    namespace = dict(vars(sys.modules[cls.__module__]), field=dataclasses.field)
    exec(compile(source, f"<twin of {cls.__qualname__}>", "exec"), namespace)
    return dataclasses.dataclass(frozen=cls._frozen, order=cls is PersonalNumber, repr=not _shown_as_object(cls),
                                 eq=not _compared_as_object(cls))(namespace[cls.__name__])


def _shown_as_object(cls: type) -> bool:
    """A record that keeps the object's own repr (as ``@dataclass(repr=False)`` did): its fields hold
    file content or personal data."""
    return cls.__repr__ is object.__repr__


def _compared_as_object(cls: type) -> bool:
    """A record compared and hashed as the object itself (as ``@dataclass(eq=False)`` did)."""
    return cls.__eq__ is object.__eq__


def _sample(cls: type) -> dict[str, object]:
    """A value for each field without a default."""
    return {f.name: f"<{f.name}>" for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}


def _factory_value(factory: object) -> object:
    return factory() if factory is not dataclasses.MISSING and factory is not records.MISSING else "no factory"


def test_every_record_class_is_found():
    names = {cls.__qualname__ for cls in RECORDS}
    assert {"Task", "Participant", "Workbook", "Outcome", "PersonalNumber", "Decision", "SheetGrid",
            "Table", "WorkbookContent"} <= names
    assert len(RECORDS) >= 40


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_record_declares_its_fields_as_the_dataclass_does(cls):
    twin = _twin(cls)
    ours, theirs = records.fields(cls), dataclasses.fields(twin)
    assert [f.name for f in ours] == [f.name for f in theirs]
    for mine, other in zip(ours, theirs):
        assert (mine.default is records.MISSING) == (other.default is dataclasses.MISSING), mine.name
        if mine.default is not records.MISSING:
            assert mine.default == other.default, mine.name
        assert _factory_value(mine.default_factory) == _factory_value(other.default_factory), mine.name
    if cls in WRITTEN_OUT_INIT:  # the same parameters, in order, with the same defaults
        assert [(p.name, p.default, p.kind) for p in inspect.signature(cls).parameters.values()] == [
            (p.name, p.default, p.kind) for p in inspect.signature(twin).parameters.values()]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_record_is_made_shown_compared_and_replaced_as_the_dataclass(cls):
    twin = _twin(cls)
    sample = _sample(twin)
    made, twin_made = cls(**sample), twin(**sample)
    assert list(vars(made).items()) == list(vars(twin_made).items())  # every field, in order
    if _shown_as_object(cls):
        assert repr(made).startswith(f"<{cls.__module__}.{cls.__qualname__} object at ") and "<" not in repr(made)[1:]
    else:
        assert repr(made) == repr(twin_made)
    positional = list(sample.values())
    assert vars(cls(*positional)) == vars(twin(*positional))
    copy = records.replace(made)
    assert copy is not made and vars(copy) == vars(made)
    if _compared_as_object(cls):
        assert copy != made and made == made and hash(made) == object.__hash__(made)
        assert twin_made != twin(**sample)  # the dataclass with eq=False alike
        return
    assert copy == made and not (copy != made)
    assert made != twin_made and made != object()  # only a record of the same class is equal
    if cls._frozen:
        try:
            expected = hash(twin_made)
        except TypeError:  # a field holds a dict: neither can be hashed
            with pytest.raises(TypeError):
                hash(made)
        else:
            assert hash(copy) == hash(made)
            if cls is not PersonalNumber:  # its hash is its digits' (a dataclass hashes the 1-tuple)
                assert hash(made) == expected
    else:
        assert cls.__hash__ is None and twin.__hash__ is None
    for f in dataclasses.fields(twin):
        changed = records.replace(made, **{f.name: "changed"})
        assert vars(changed) == vars(dataclasses.replace(twin_made, **{f.name: "changed"}))
        assert changed != made and getattr(made, f.name) != "changed"
    first = dataclasses.fields(twin)[0].name if dataclasses.fields(twin) else "anything"
    if cls._frozen:
        with pytest.raises(FrozenRecordError) as refused:
            setattr(made, first, "other")
        assert isinstance(refused.value, AttributeError)  # as dataclasses.FrozenInstanceError is
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(twin_made, first, "other")
    else:
        setattr(made, first, "other")
        assert getattr(made, first) == "other"


@pytest.mark.parametrize("cls", [cls for cls in RECORDS if cls not in WRITTEN_OUT_INIT],
                         ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_record_refuses_the_arguments_the_dataclass_refuses(cls):
    twin = _twin(cls)
    sample = _sample(twin)
    names = [f.name for f in dataclasses.fields(twin)]
    for kind in (cls, twin):
        with pytest.raises(TypeError):
            kind(**sample, unknown=1)
        with pytest.raises(TypeError):
            kind(*range(len(names) + 1))
        if sample:
            with pytest.raises(TypeError):
                kind()
            with pytest.raises(TypeError):
                kind(*sample.values(), **{names[0]: 1})
    with pytest.raises(TypeError):
        records.replace(cls(**sample), unknown=1)


def test_a_factory_makes_a_fresh_value_for_each_record():
    from xl_addin.domain.writes import Decision

    one, other = Decision(), Decision()
    one.rows.append({"a": 1})
    assert other.rows == [] and one.rows is not other.rows


def test_personal_numbers_order_as_the_dataclass_orders_them():
    twin = _twin(PersonalNumber)
    digits = ["201203150005", "199901019999", "201203150005", "200001010000"]
    assert [n.digits for n in sorted(PersonalNumber(d) for d in digits)] == [
        n.digits for n in sorted(twin(d) for d in digits)]
    a, b = PersonalNumber("1"), PersonalNumber("2")
    assert (a < b, a <= b, a > b, a >= b, a == PersonalNumber("1")) == (True, True, False, False, True)
    with pytest.raises(TypeError):
        a < "2"  # noqa: B015


def test_a_record_shown_as_the_object_shows_none_of_its_fields():
    """What a file read holds (every record, the file's bytes) stays out of a log line that shows it."""
    from xl_addin.files.reader import WorkbookFile
    from xl_addin.domain.model import Workbook

    shown = repr(WorkbookFile(Workbook(), False, b"Testa Testsson 20120315-0005"))
    assert "Testa" not in shown and "2012" not in shown and shown.startswith("<xl_addin.files.reader.WorkbookFile")


def test_a_mutable_default_is_refused_as_by_a_dataclass():
    for default in ([], {}, set()):
        with pytest.raises(ValueError):
            class Shared(Record):
                items: object = default
        with pytest.raises(ValueError):
            dataclasses.dataclass(type("Shared", (), {"__annotations__": {"items": "object"}, "items": default}))


def test_a_record_with_a_field_without_default_after_one_with_is_refused_as_by_a_dataclass():
    with pytest.raises(TypeError):
        class Wrong(Record):
            first: int = 1
            second: int


def test_a_record_made_with_defaults_equals_one_made_with_them_spelled_out():
    assert Participant(3, None) == Participant(3, None, "", "", (), None, "", "", False, frozenset())
    assert Session(1, None) == Session(1, None, None)
    assert Participant(3, None).attendance_at(Session(1, date(2026, 9, 2))) is None
    assert Participant(3, None, attendance=(Attendance.ATTENDED,)).attendance == (Attendance.ATTENDED,)


def test_importing_the_commands_loads_neither_dataclasses_nor_inspect():
    """What records are for: the command line's modules import without the two (checked in a fresh
    interpreter; this test process has them from pytest)."""
    import subprocess

    code = ("import sys, xl_addin.cli, xl_addin.services, xl_addin.files.reader, xl_addin.domain.parsing; "
            "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_record_declared_without_string_annotations_reads_its_fields_alike():
    """A module without ``from __future__ import annotations`` gives the annotations as objects; a
    ``ClassVar`` is no field there either."""
    source = ("from typing import ClassVar\n"
              "class Plain(Record):\n"
              "    first: int\n"
              "    limit: ClassVar[int] = 3\n"
              "    second: str = 'b'\n")
    namespace = {"Record": Record}
    exec(compile(source, "<plain>", "exec", dont_inherit=True), namespace)
    plain = namespace["Plain"]
    assert [f.name for f in records.fields(plain)] == ["first", "second"]
    assert vars(plain(1)) == {"first": 1, "second": "b"} and plain.limit == 3
