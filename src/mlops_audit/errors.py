"""Errors a user can see. Each carries the process exit code, in the manner of click's ClickException.

Exit codes (DESIGN §8): 0 ok, 1 assessment below --fail-under (or verification failed), 2 bad input.
"""

from __future__ import annotations


class AuditError(Exception):
    """An error shown to the user as one message, never as a traceback."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(AuditError):
    """Bad input: the message names the file, the place in it, and what was expected."""

    exit_code = 2


class RubricError(InputError):
    """A rubric file that does not load or does not validate. Holds every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class GateFailed(AuditError):
    """The assessment is below the level demanded by --fail-under."""

    exit_code = 1


class VerificationFailed(AuditError):
    """An audit trail or artefact did not verify."""

    exit_code = 1
