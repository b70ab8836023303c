"""The records whose ``__init__`` is written out for speed behave as the dataclass would make them."""

import dataclasses
import inspect
from datetime import date

import pytest

from xl_addin.domain.model import Attendance, Participant, Problem, Session



def _records():
    return [
        Problem("Grupper", "B2", "Fel", "GruppID saknas."),
        Session(2, date(2026, 9, 2), date(2026, 9, 3)),
        Participant(7, None, "Alva", "Mamma", (Attendance.ATTENDED, None), date(2026, 9, 9), "Sjuk", "text",
                    True, frozenset({"T1"})),
    ]


@pytest.mark.parametrize("record", _records(), ids=lambda record: type(record).__name__)
def test_a_written_out_record_takes_its_fields_in_order_with_their_defaults(record):
    kind = type(record)
    parameters = list(inspect.signature(kind.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in parameters] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(kind)
    ]
    assert all(f.default_factory is dataclasses.MISSING for f in dataclasses.fields(kind))


@pytest.mark.parametrize("record", _records(), ids=lambda record: type(record).__name__)
def test_a_written_out_record_is_frozen_equal_hashed_and_shown_as_a_dataclass(record):
    kind = type(record)
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(kind)}
    twin = dataclasses.make_dataclass(kind.__name__, list(values), frozen=True)(**values)
    assert repr(record) == repr(twin)
    assert dataclasses.astuple(record) == dataclasses.astuple(twin)
    copy = dataclasses.replace(record)
    assert copy == record and hash(copy) == hash(record) and copy is not record
    first = dataclasses.fields(kind)[0].name
    changed = dataclasses.replace(record, **{first: "other"})
    assert changed != record and getattr(changed, first) == "other" and getattr(record, first) != "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, first, "other")


def test_a_record_made_with_defaults_equals_one_made_with_them_spelled_out():
    assert Participant(3, None) == Participant(3, None, "", "", (), None, "", "", False, frozenset())
    assert Session(1, None) == Session(1, None, None)
    assert Participant(3, None).attendance_at(Session(1, date(2026, 9, 2))) is None
