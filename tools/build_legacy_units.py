"""Build assets/admin_units/legacy_units_2025.csv: every commune-level unit that existed before the 2025 reform
(63 provinces, district level, 10,036 wards/communes/towns), with the post-reform commune(s) it became part of.

Source: the open dataset of `vietnamadminunits` 1.0.4 (MIT licence, https://pypi.org/project/vietnamadminunits/):
`data/dataset.db` (table `admin_units_legacy`: the 63-province units with their official codes) and
`data/converter_2025.json` (old ward → new ward, with a default new ward for wards that were divided).

Why a table and not the package at run time: the package pulls in shapely and geopy and geocodes addresses over
the network to split divided wards, which a field laptop must never do; the app needs only "which unit had
this code on that date, and which post-reform commune does it roll up into". The table is data: a corrected
one replaces it with no code change.

New communes are matched to the `vietnam-provinces` codes the app uses (by province and name, since the two
datasets number a few post-reform wards differently). Run with the wheel unpacked:

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau && unzip -q /tmp/vau/*.whl -d /tmp/vau
    .venv/bin/python tools/build_legacy_units.py /tmp/vau/vietnamadminunits/data
"""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

from unidecode import unidecode
from vietnam_provinces import Ward

OUT = Path(__file__).resolve().parents[1] / "assets" / "admin_units" / "legacy_units_2025.csv"
COLUMNS = ["old_code", "old_name", "old_district_code", "old_district_name", "old_province_code",
           "old_province_name", "new_codes"]


def _key(name: str) -> str:
    return unidecode(name).lower().replace(" ", "").replace("-", "")


def _new_codes_by_name() -> dict[tuple[str, str], list[str]]:
    by_name: dict[tuple[str, str], list[str]] = {}
    for ward in Ward.iter_all():
        key = (f"{ward.province_code.value:02d}", _key(ward.name))
        by_name.setdefault(key, []).append(f"{ward.code.value:05d}")
    return by_name


def build(data_dir: Path) -> list[dict]:
    db = sqlite3.connect(data_dir / "dataset.db")
    by_name = _new_codes_by_name()
    new_code_of_key: dict[str, str] = {}
    for province_code, ward, their_code, province_key, ward_key in db.execute(
            "SELECT provinceCode, ward, wardCode, provinceKey, wardKey FROM admin_units"):
        candidates = by_name[(province_code, _key(ward))]
        new_code_of_key[f"{province_key}_{ward_key}"] = their_code if their_code in candidates else candidates[0]
    mapping = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    targets: dict[str, list[tuple[str, bool]]] = {}
    for province_key, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            for old in olds:
                targets.setdefault(old, []).append((new_code_of_key[f"{province_key}_{ward_key}"], True))
    for province_key, olds in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, news in olds.items():
            for new in news:
                code = new_code_of_key[f"{province_key}_{new['newWardKey']}"]
                targets.setdefault(old, []).append((code, bool(new["isDefaultNewWard"])))
    rows = []
    for key, code, name, d_code, d_name, p_code, p_name in db.execute(
            "SELECT provinceKey||'_'||districtKey||'_'||wardKey, wardCode, ward, districtCode, district, "
            "provinceCode, province FROM admin_units_legacy WHERE wardCode IS NOT NULL ORDER BY wardCode"):
        news = sorted(set(targets.get(key, [])), key=lambda t: (not t[1], t[0]))   # default first
        rows.append({"old_code": code, "old_name": name, "old_district_code": d_code, "old_district_name": d_name,
                     "old_province_code": p_code, "old_province_name": p_name,
                     "new_codes": ";".join(dict.fromkeys(c for c, _ in news))})
    return rows


def main(argv: list[str]) -> int:
    rows = build(Path(argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} units -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
