"""Reading data files: size limits, UTF-8, JSON and TOML, each failure as one InputError line.

Profiles, rule files and scenario files are all read here, so they fail the same way.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, TextIO

import tomli

from eligibility.foundations.errors import InputError, OutputError


def read_file(path: str | Path, what: str, limit: int) -> bytes:
    name = str(path)
    target = Path(path)
    try:
        if name == "":
            raise InputError("''", None, f"expected the path of a {what}, got an empty one")
        if target.is_dir():
            raise InputError(name, None, f"expected a {what}, found a directory")
        mode = target.stat().st_mode
        if not stat.S_ISREG(mode):  # read whole: a pipe or a device could block, or never end
            raise InputError(name, None, f"expected a {what} (a regular file), found {_kind(mode)}")
        size = target.stat().st_size
        if size > limit:
            raise InputError(
                name, None, f"expected a {what} of at most {_mib(limit)}, found {size // (1024 * 1024)} MiB"
            )
        # Read no more than the limit allows whatever the file claims: a device or a pipe reports
        # no size, and /dev/zero never ends.
        with open(target, "rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise InputError(name, None, f"expected a {what} of at most {_mib(limit)}, found more")
        return data
    except FileNotFoundError:
        raise InputError(name, None, f"no such {what}") from None
    except PermissionError:
        raise InputError(name, None, f"cannot read the {what}: permission denied") from None
    except OSError as error:
        raise InputError(name, None, f"cannot read the {what}: {error.strerror or error}") from None


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in words."""
    for test, words in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return words
    return "something that is not a file"


def _mib(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def decode_text(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            file, None, f"expected UTF-8 text, found a byte that is not (at offset {error.start})"
        ) from None


class JsonProblem(ValueError):
    """Valid JSON syntax that the project still refuses: a key twice in one object, a number too
    long to convert, or a lone surrogate escape in a string."""


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonProblem(f"expected each key once in an object, got {key!r} twice")
            seen.add(key)
    return found


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates)  # what json.loads would make anew at each call


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def parse_json(text: str) -> Any:
    """JSON text as data.  json.JSONDecodeError for bad syntax; JsonProblem for what the syntax
    allows but the project refuses; RecursionError for nesting too deep to read."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except JsonProblem:
        raise
    except ValueError as error:  # an integer past the interpreter's digit limit
        raise JsonProblem("expected numbers of at most 4,300 digits, found a longer one") from error
    if _SURROGATE_ESCAPE.search(text) and any(_SURROGATE.search(s) for s in _strings(value)):
        raise JsonProblem("expected text, found a lone surrogate escape (\\ud800-\\udfff without its pair)")
    return value


def decode_json(raw: bytes, file: str) -> Any:
    text = decode_text(raw, file)
    if not text.strip():
        raise InputError(file, None, "expected a JSON object, the file is empty")
    try:
        return parse_json(text)
    except json.JSONDecodeError as error:
        said = error.msg.removesuffix(" at")  # json says "Unterminated string starting at"
        raise InputError(file, None, f"not valid JSON: {said} at line {error.lineno} column {error.colno}") from None
    except JsonProblem as error:
        raise InputError(file, None, str(error)) from None
    except RecursionError:
        raise InputError(file, None, "the JSON nests too deeply to read") from None


def read_toml(path: str | Path, what: str, limit: int = 1024 * 1024) -> dict[str, Any]:
    """A TOML file as data; never evaluates anything in it.  Read with tomli, the parser the
    standard library's tomllib is taken from: its wheels are compiled, about 2.8x faster on a rule
    base of 2,000 files, with the same results."""
    name = str(path)
    text = decode_text(read_file(path, what, limit), name)
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        raise InputError(name, None, f"not valid TOML: {error}") from None
    except RecursionError:
        raise InputError(name, None, "the TOML nests too deeply to read") from None


ABANDONED: list[str] = []  # output files a run stopped writing when it was interrupted (for its message)


def notice(line: str) -> None:
    """A note on standard error that does not stop the run (the command line's own prefix)."""
    with suppress(OSError, ValueError):
        sys.stderr.write(f"eligibility: note: {line}\n")
        sys.stderr.flush()


def _identity(path: str) -> tuple[int, int] | None:
    """A file's identity (device, inode), for standard input the open file's; None if none."""
    try:
        found = os.fstat(0) if path in ("-", "<stdin>") else os.stat(path)
    except (OSError, ValueError):
        return None
    return (found.st_dev, found.st_ino)


def _target(path: str, what: str) -> Path:
    """Where `path` writes, refused in one line where the shell would not write or would surprise."""
    if path.endswith(("/", os.sep)) and not os.path.isdir(path):
        raise InputError(path, None, f"expected a file to write the {what} to, got a folder's path that does not exist")
    if os.path.islink(path):
        try:
            os.stat(path)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise InputError(
                    path, None, f"expected a file to write the {what} to, found a symbolic link that loops"
                ) from None
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise InputError(path, None, f"expected a file to write the {what} to, found a directory")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(path, None, f"cannot write the {what}: permission denied (the file is not writable to you)")
    return target


def _partial_prefix(target: Path) -> str:
    """The start of a temporary file's name beside the target: short enough for any legal name."""
    return f".{target.name[:48]}."


def _leftovers(target: Path) -> None:
    """Temporary files a killed run left beside the target (SIGKILL allows no cleanup): each names
    the process that wrote it, and is removed, with a note, once that process is gone."""
    prefix = _partial_prefix(target)
    with suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".partial")):
                continue
            pid = entry.name[len(prefix) :].split(".", 1)[0]
            if not pid.isdigit() or _alive(int(pid)):
                continue
            with suppress(OSError):
                os.unlink(entry.path)
                notice(f"removed {entry.path}, left by an earlier run that was killed before it finished")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextmanager
def output_file(path: str, what: str, inputs: Iterable[str] = ()) -> Iterator[TextIO]:
    """A text file to write `what` to, that never looks complete unless it is (`_output`)."""
    with _output(path, what, inputs, binary=False) as sink:
        yield sink


@contextmanager
def binary_output_file(path: str, what: str, inputs: Iterable[str] = ()) -> Iterator[BinaryIO]:
    """The same for bytes (a Parquet file)."""
    with _output(path, what, inputs, binary=True) as sink:
        yield sink


@contextmanager
def _output(path: str, what: str, inputs: Iterable[str], binary: bool) -> Iterator[Any]:
    """A file to write `what` to, that never looks complete unless it is.

    A regular file (or a new one) is written under a temporary name in the same folder and
    renamed over the target only when the body finishes; on any failure or interruption the
    temporary file is removed and the target is left as it was (a run killed outright leaves its
    temporary file, which the next run writing the same file removes, with a note).  A symlink
    is written through to the file it points at; one that loops is refused.  A file the user may
    not write is refused, as the shell refuses it.  A target that exists and is not a regular
    file (a device, a named pipe) is written to directly, and a named pipe with no reader is
    refused rather than waited on.  Writing over one of `inputs` (the same file, however named,
    standard input included) is refused."""
    target = _target(path, what)
    mine = _identity(str(target))
    for source in inputs:
        if mine is not None and _identity(source) == mine:
            raise InputError(
                path,
                None,
                f"expected an output file other than the input {source}; writing the {what} there would overwrite it",
            )
    exists = target.exists()
    if exists and not stat.S_ISREG(target.stat().st_mode):
        with _reported_writes(path, what):
            with _direct(target, path, what, binary) as sink:
                yield sink
        return
    _leftovers(target)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f"{_partial_prefix(target)}{os.getpid()}.", suffix=".partial"
        )
    except OSError as error:
        raise InputError(path, None, f"cannot write the {what}: {error.strerror or error}") from None
    done = False
    try:
        with _reported_writes(path, what):
            with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8") as sink:
                yield sink
            if exists:
                os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
            else:  # a new file gets the permissions any new file gets (mkstemp makes it private)
                os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, target)
        done = True
    except BaseException as error:
        if not isinstance(error, Exception):  # ^C, SIGTERM: say so in the message
            ABANDONED.append(path)
        raise
    finally:
        if not done:
            with suppress(OSError):
                os.unlink(temporary)


def _direct(target: Path, path: str, what: str, binary: bool = False) -> Any:
    """A device or a named pipe, opened to write to directly; a pipe nobody reads is refused."""
    try:
        if stat.S_ISFIFO(target.stat().st_mode):
            try:
                handle = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno == errno.ENXIO:
                    raise InputError(
                        path, None, f"expected a named pipe with a reader to write the {what} to, found none reading"
                    ) from None
                raise
            os.set_blocking(handle, True)
            return os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8")
        return open(target, "wb") if binary else open(target, "w", encoding="utf-8")
    except OSError as error:
        raise InputError(path, None, f"cannot write the {what}: {error.strerror or error}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _reported_writes(path: str, what: str) -> Iterator[None]:
    """A failed write (disk full, a file-size limit) as one line."""
    try:
        yield
    except OSError as error:
        raise OutputError(
            path, f"could not write the {what}, so nothing was written: {error.strerror or error}"
        ) from None
