"""Release folders: which one is current, which ones are in use, which ones may go.

A build writes ``build/releases/<id>/`` (store, dumps, parsed texts, report) and, when every
stage passed, switches the symlink ``build/current`` to it by an atomic rename.  A release never
changes after that.  It records the base IRI its graph was minted under (``base-iri.txt``):
served under another base, every IRI would 404 and every query find nothing, so the service
refuses to start on a mismatch (:func:`check_base_iri`).  A process that serves a release
*pins* it: it holds a shared ``flock`` on the release folder for as long as it has the store
open.  The pruner deletes an old release only while it holds the exclusive lock, which it
cannot get while anyone holds a pin, so nothing a running service has open is ever deleted
(the lock goes with the process: a killed service leaves no stale pin behind).

>>> import tempfile
>>> build_dir = Path(tempfile.mkdtemp())
>>> first, second, third = (make_release(build_dir, name) for name in ("r1", "r2", "r3"))
>>> switch_current(build_dir, first)
>>> pin = Pin.take(build_dir)
>>> pin.folder.name
'r1'
>>> switch_current(build_dir, second); switch_current(build_dir, third)
>>> sorted(p.name for p in prune(build_dir, keep=1))   # r1 is pinned, r2 is the previous one
[]
>>> pin.close()
>>> sorted(p.name for p in prune(build_dir, keep=1))
['r1']
"""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gcmkg.errors import NoStoreError

CURRENT = "current"
RELEASES = "releases"
BASE_IRI_FILE = "base-iri.txt"  # the base IRI every IRI of the release's graph was minted under
# When the release was built (UTC, ISO 8601, whole seconds): its answers' Last-Modified.  Written into
# the release rather than read from a file's mtime, so every copy of the folder (rsync, cp, scp,
# with or without preserved times) gives the same Last-Modified, and replicas agree.
BUILT_FILE = "built.txt"


def make_release(build_dir: Path, name: str) -> Path:
    """An empty release folder (the build fills it); for tests and the build."""
    folder = build_dir / RELEASES / name
    (folder / "store").mkdir(parents=True)
    return folder


def current_folder(build_dir: Path) -> Path:
    """The release ``build/current`` points to now, resolved."""
    link = build_dir / CURRENT
    folder = link.resolve()
    if not (folder / "store").is_dir():
        raise NoStoreError(f"{link}: no built store here; run `make build` (or `gcmkg build`) first")
    return folder


class BaseIriMismatch(NoStoreError):
    """The built store's IRIs were minted under another base IRI than the one asked to serve (exit 3)."""


def record_base_iri(release: Path, base_iri: str) -> None:
    """Write the base IRI the release is built with (by the build, before it is swapped in)."""
    (release / BASE_IRI_FILE).write_text(base_iri + "\n", encoding="utf-8")


def recorded_base_iri(release: Path) -> str | None:
    """The base IRI ``release`` was built with; None for a release built before it was recorded."""
    path = release / BASE_IRI_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def check_base_iri(build_dir: Path, release: Path, base_iri: str) -> None:
    """:class:`BaseIriMismatch` unless ``release`` was built with ``base_iri`` (or records none).

    >>> import tempfile
    >>> build_dir = Path(tempfile.mkdtemp())
    >>> release = make_release(build_dir, "r1")
    >>> record_base_iri(release, "http://127.0.0.1:8000/")
    >>> check_base_iri(build_dir, release, "http://127.0.0.1:8000/")
    >>> check_base_iri(build_dir, release, "https://gcm.example.org/")
    Traceback (most recent call last):
    ...
    gcmkg.releases.BaseIriMismatch: the store in ... was built with the base IRI http://127.0.0.1:8000/, ...
    """
    built = recorded_base_iri(release)
    if built is not None and built != base_iri:
        raise BaseIriMismatch(
            f"the store in {release} was built with the base IRI {built}, not {base_iri}: served under "
            f"{base_iri} none of its IRIs would resolve and every query would find nothing. Rebuild it for "
            f"this base IRI: gcmkg --build-dir {build_dir} --base-iri {base_iri} build "
            f"(or: make build GCMKG_BASE_IRI={base_iri}), or serve it with --base-iri {built}"
        )


def record_built(release: Path, moment: datetime | None = None) -> None:
    """Write when ``release`` was built (by the build, before it is swapped in; ``moment``: now)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    (release / BUILT_FILE).write_text(moment.isoformat() + "\n", encoding="utf-8")


def built_at(release: Path) -> datetime:
    """When ``release`` was built: as recorded, or, for a release built before it was recorded, its store's mtime.

    >>> import tempfile
    >>> release = make_release(Path(tempfile.mkdtemp()), "r1")
    >>> record_built(release, datetime(2026, 12, 1, 14, 31, 5, 123456, tzinfo=UTC))
    >>> built_at(release).isoformat()
    '2026-12-01T14:31:05+00:00'
    """
    path = release / BUILT_FILE
    if path.is_file():
        return datetime.fromisoformat(path.read_text(encoding="utf-8").strip()).astimezone(UTC)
    return datetime.fromtimestamp(int((release / "store").stat().st_mtime), tz=UTC)


def switch_current(build_dir: Path, release: Path) -> None:
    """Point ``build/current`` at ``release`` by an atomic rename of a new symlink."""
    link = build_dir / CURRENT
    tmp = build_dir / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(release.resolve().relative_to(build_dir.resolve()))
    os.replace(tmp, link)


@dataclass(frozen=True)
class Release:
    """A built release: its id (the folder's name), its build time, its folder.

    Both the id and the time come from the folder's contents, never from the process or the copy,
    so replicas serving copies of one release give the same ``ETag`` and ``Last-Modified``.
    """

    id: str
    modified: datetime  # when the release was built, in whole seconds (as HTTP dates carry them)
    folder: Path

    @classmethod
    def at(cls, folder: Path) -> Release:
        return cls(folder.name, built_at(folder), folder)

    @property
    def store_dir(self) -> Path:
        return self.folder / "store"

    @property
    def dumps_dir(self) -> Path:
        return self.folder / "dumps"


@dataclass
class Pin:
    """A shared lock on one release folder, held while a process serves from it."""

    release: Release
    fd: int

    @property
    def folder(self) -> Path:
        return self.release.folder

    @classmethod
    def take(cls, build_dir: Path) -> Pin:
        """Pin the release ``build/current`` points to (retried if it is pruned meanwhile)."""
        for _ in range(10):
            folder = current_folder(build_dir)
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            fcntl.flock(fd, fcntl.LOCK_SH)
            if (folder / "store").is_dir():  # not deleted while we waited for the lock
                return cls(Release.at(folder), fd)
            os.close(fd)
        raise NoStoreError(f"{build_dir / CURRENT}: the current release kept disappearing while it was opened")

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def in_use(folder: Path) -> bool:
    """True while some process holds a pin on ``folder``."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def prune(build_dir: Path, *, keep: int = 1) -> list[Path]:
    """Delete old releases: all but the current one, the ``keep`` newest others, and any pinned.

    Returns what it deleted.  Each is deleted under its exclusive lock, so a process that
    tries to pin it meanwhile waits and then sees it gone.
    """
    releases = build_dir / RELEASES
    if not releases.is_dir():
        return []
    link = build_dir / CURRENT
    current = link.resolve() if link.exists() else None
    others = sorted(
        (p for p in releases.iterdir() if p.is_dir() and p.resolve() != current),
        key=lambda p: (p.stat().st_mtime_ns, p.name),  # names start with the build time
        reverse=True,
    )
    deleted = []
    for old in others[keep:]:
        fd = os.open(old, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # pinned by a running service
            shutil.rmtree(old, ignore_errors=True)
            deleted.append(old)
        finally:
            os.close(fd)
    return deleted
