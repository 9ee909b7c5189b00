"""ISO 3166-1 alpha-2 country codes, read from the data file pycountry ships.

The file is read directly rather than through `import pycountry`, whose import
costs far more than parsing the file; the codes and names are the same.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pycountry package is not installed")
    data = Path(list(spec.submodule_search_locations)[0]) / "databases" / "iso3166-1.json"
    entries = json.loads(data.read_text(encoding="utf-8"))["3166-1"]
    return {entry["alpha_2"]: entry.get("common_name", entry["name"]) for entry in entries}


def is_code(code: object) -> bool:
    return isinstance(code, str) and code in _names()


def name(code: str) -> str:
    return _names().get(code, code)
