"""The errors ecograph raises; only the CLI and the app turn them into messages and exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecograph.report import LoadReport

__all__ = [
    "EcographError",
    "InputUnavailable",
    "IntegrityError",
    "QueryNotFound",
    "SourceUnavailable",
    "StoreUnavailable",
    "UndatedStore",
    "UnknownOrganisation",
    "UsageError",
    "ValidationFailed",
]


class EcographError(Exception):
    """Base of every error a user can cause; its message is one line that says what to do."""

    exit_code = 1


class ValidationFailed(EcographError):
    """Input did not validate; nothing was written. Carries the whole report."""

    exit_code = 1

    def __init__(self, report: LoadReport):
        self.report = report
        super().__init__(report.summary_line())


class StoreUnavailable(EcographError):
    """The store cannot be opened, reached or locked; the message names the URL, never a password."""

    exit_code = 3


class UnknownOrganisation(EcographError):
    """An organisation id that the store does not hold."""

    exit_code = 1


class QueryNotFound(EcographError):
    """A named query that the catalogue does not hold."""

    exit_code = 2


class UsageError(EcographError):
    """Arguments that cannot work together (bad store URL scheme, unknown format)."""

    exit_code = 2


class InputUnavailable(EcographError):
    """An input file that is missing or cannot be read; nothing was written."""

    exit_code = 3


class SourceUnavailable(EcographError):
    """A public data source that cannot be reached or answers with something unusable; nothing
    was loaded. The message names the URL without any key it carried."""

    exit_code = 3


class IntegrityError(EcographError):
    """A write that would break the store's rules (a tie to an unknown organisation); nothing was written."""

    exit_code = 1


class UndatedStore(UsageError):
    """A period was asked of a store whose ties carry no dates; saved snapshots can stand in."""
