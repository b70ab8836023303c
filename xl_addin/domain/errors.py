"""Failures a user can act on: each one's ``str()`` is the Swedish sentence shown to the user."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is the Swedish message, without personal data."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        if self.sheet:
            return f"{self.sheet}: {self.message}"
        return self.message


class UnusableWorkbook(UserError):
    """The file cannot be used at all (missing, not a workbook, encrypted, wrong layout version)."""


class InvalidPersonalNumber(UserError):
    """A personnummer that is malformed, has an impossible date or a wrong check digit."""


class InvalidDate(UserError):
    """A value that should be a date and is not one, or is ambiguous."""


class OutputExists(UserError):
    """An output file exists already and ``--force`` was not given."""
