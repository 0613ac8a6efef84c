"""Errors that say where: which file, which line, which provision, which rule."""

from __future__ import annotations


class GcmkgError(Exception):
    """Base class for errors the command line reports without a traceback, exiting with ``exit_code``.

    Anything else that escapes a command is a fault of the program, not of its input, and is
    reported with its traceback.
    """

    exit_code = 2


class SettingsError(GcmkgError):
    """A setting or command-line option has a value the project cannot work with (a bad base IRI, …)."""


class NoStoreError(GcmkgError):
    """There is no built store where a command or the service needs one (run ``gcmkg build``)."""

    exit_code = 3


class CorpusError(GcmkgError):
    """A corpus file is missing, changed, or not listed in the manifest."""


class SourceError(GcmkgError):
    """A source text does not have the structure its loader expects.

    >>> str(SourceError("corpus/x.txt", 12, "expected action (c)", provision="annex/para/17"))
    'corpus/x.txt:12: expected action (c) (while reading annex/para/17)'
    """

    def __init__(self, file: str, line: int | None, message: str, *, provision: str | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.provision = provision
        where = f"{file}:{line}" if line is not None else file
        tail = f" (while reading {provision})" if provision else ""
        super().__init__(f"{where}: {message}{tail}")


class ValidationFailed(GcmkgError):
    """The graph violates SHACL shapes or a must-return-no-rows check."""

    exit_code = 1

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        super().__init__(f"{len(violations)} violation(s):\n" + "\n".join(violations))
