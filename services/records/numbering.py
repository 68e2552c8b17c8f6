"""Human-readable case numbers, unique without a server round trip:

    <prefix>-<commune code>-<year>-<device code>-<sequence>     e.g. TG-06652-2026-3FA2-0007

The device code (4 hex characters of the device UUID) keeps two offline laptops of the same commune from
issuing the same number; the sequence is per prefix, commune, year and device.

    next_number("TG", "06652", 2026, "3FA2", exists=lambda n: …)       one number (records.save)
    block = NumberBlock("3FA2", {"TG": LegalAidCase, "HG": MediationCase})
    block.next("HG", "06652", 2026); …; block.commit()                 many numbers in one transaction (demo)

Both read and advance the same stored sequences (models.records.Sequence), so a folder can mix them in any order.
"""
from __future__ import annotations

from peewee import fn

from models.records import Sequence


def _key(prefix: str, commune_code: str, year: int, device_code: str) -> str:
    return f"{prefix}|{commune_code}|{year}|{device_code}"


def _format(prefix: str, commune_code: str, year: int, device_code: str, value: int) -> str:
    return f"{prefix}-{commune_code}-{year}-{device_code}-{value:04d}"


def next_number(prefix: str, commune_code: str, year: int, device_code: str, exists) -> str:
    key = _key(prefix, commune_code, year, device_code)
    while True:
        (Sequence.insert(key=key, value=1)
         .on_conflict(conflict_target=[Sequence.key], update={Sequence.value: Sequence.value + 1})
         .execute())
        value = Sequence.get(Sequence.key == key).value
        number = _format(prefix, commune_code, year, device_code, value)
        if not exists(number):
            return number


class NumberBlock:
    """Numbers for many new records at once, from the stored sequences: each key starts after its stored value
    and after the highest number of that key already stored (e.g. brought by an import), and commit() stores
    the last value used (never lowering a sequence). Call inside the transaction that writes the records."""

    def __init__(self, device_code: str, models: dict):
        self.device_code = device_code
        self.models = models            # prefix -> model with a unique `number` field
        self.values: dict[tuple, int] = {}

    def _start(self, prefix: str, commune_code: str, year: int) -> int:
        stored = Sequence.select(Sequence.value).where(
            Sequence.key == _key(prefix, commune_code, year, self.device_code)).scalar() or 0
        model = self.models[prefix]
        head = f"{prefix}-{commune_code}-{year}-{self.device_code}-"
        # a range on the unique index ("." sorts right after "-"), not LIKE: fast at a million records
        highest = (model.select(fn.MAX(fn.SUBSTR(model.number, len(head) + 1).cast("INTEGER")))
                   .where((model.number >= head) & (model.number < head[:-1] + ".")).scalar() or 0)
        return max(int(stored), int(highest))

    def next(self, prefix: str, commune_code: str, year: int) -> str:
        k = (prefix, commune_code, year)
        if k not in self.values:
            self.values[k] = self._start(prefix, commune_code, year)
        self.values[k] += 1
        return _format(prefix, commune_code, year, self.device_code, self.values[k])

    def commit(self) -> None:
        for (prefix, commune_code, year), value in self.values.items():
            (Sequence.insert(key=_key(prefix, commune_code, year, self.device_code), value=value)
             .on_conflict(conflict_target=[Sequence.key], update={Sequence.value: fn.MAX(Sequence.value, value)})
             .execute())
