"""Bounded stores: what a long run keeps, so that its memory stays flat however long it runs."""

from __future__ import annotations

from typing import Generic, Optional, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(Generic[K, V]):
    """A bounded store in two generations: when the newer holds `limit` entries it becomes the
    older and the older is dropped; an entry found in the older moves to the newer.  At most
    twice `limit` entries, so a long run's memory stays flat, and what is used often stays."""

    def __init__(self, limit: int):
        self.limit = limit
        self.new: dict[K, V] = {}
        self.old: dict[K, V] = {}

    def get(self, key: K) -> Optional[V]:
        found = self.new.get(key)
        if found is None:
            found = self.old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: K, value: V) -> None:
        if len(self.new) >= self.limit:
            self.old, self.new = self.new, {}
        self.new[key] = value
