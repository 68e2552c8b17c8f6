"""Human-readable case numbers, unique without a server round trip:

    <prefix>-<commune code>-<year>-<device code>-<sequence>     e.g. TG-06652-2026-3FA2-0007

The device code (4 hex characters of the device UUID) keeps two offline laptops of the same commune from
issuing the same number; the sequence is per prefix, commune, year and device.
"""
from __future__ import annotations

from models.records import Sequence


def next_number(prefix: str, commune_code: str, year: int, device_code: str, exists) -> str:
    key = f"{prefix}|{commune_code}|{year}|{device_code}"
    while True:
        (Sequence.insert(key=key, value=1)
         .on_conflict(conflict_target=[Sequence.key], update={Sequence.value: Sequence.value + 1})
         .execute())
        value = Sequence.get(Sequence.key == key).value
        number = f"{prefix}-{commune_code}-{year}-{device_code}-{value:04d}"
        if not exists(number):
            return number
