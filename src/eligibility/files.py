"""Reading data files: size limits, UTF-8, JSON and TOML, each failure as one InputError line.

Profiles, rule files and scenario files are all read here, so they fail the same way.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from .errors import InputError


def read_file(path: str | Path, what: str, limit: int) -> bytes:
    name = str(path)
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(name, None, f"expected a {what}, found a directory")
        size = target.stat().st_size
        if size > limit:
            raise InputError(name, None, f"expected a {what} of at most {limit // (1024 * 1024)} MiB, "
                                         f"found {size // (1024 * 1024)} MiB")
        return target.read_bytes()
    except FileNotFoundError:
        raise InputError(name, None, f"no such {what}") from None
    except PermissionError:
        raise InputError(name, None, f"cannot read the {what}: permission denied") from None
    except OSError as error:
        raise InputError(name, None, f"cannot read the {what}: {error.strerror or error}") from None


def decode_text(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(file, None, f"expected UTF-8 text, found a byte that is not (at offset {error.start})") from None


def decode_json(raw: bytes, file: str) -> Any:
    text = decode_text(raw, file)
    if not text.strip():
        raise InputError(file, None, "expected a JSON object, the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(file, None,
                         f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise InputError(file, None, "the JSON nests too deeply to read") from None


def read_toml(path: str | Path, what: str, limit: int = 1024 * 1024) -> dict[str, Any]:
    """A TOML file as data; never evaluates anything in it."""
    name = str(path)
    text = decode_text(read_file(path, what, limit), name)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(name, None, f"not valid TOML: {error}") from None
    except RecursionError:
        raise InputError(name, None, "the TOML nests too deeply to read") from None
