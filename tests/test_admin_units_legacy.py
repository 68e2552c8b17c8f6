"""Units before the 2025 reform (issue 15 §6): a record dated before 01/07/2025 keeps the commune, district and
province of its date, and rolls up into the post-reform commune. Basis: the 2025 reorganisation of provincial and
commune-level units (district level ended, communes merged, effective 01/07/2025)."""
from __future__ import annotations

import datetime as dt

from services import admin_units as units


def test_table_covers_every_old_unit_with_a_known_successor():
    table = units._legacy()
    assert len(table) > 10_000
    for unit in table.values():
        assert unit.new_codes, unit
        assert all(units.commune(code) for code in unit.new_codes), unit
    # every post-reform commune has at least one predecessor, except those made from island districts
    without = [c.code for c in units.communes() if not units.legacy_units_for(c.code)]
    assert len(without) < 10


def test_old_code_is_read_by_date():
    before, after = dt.date(2025, 1, 2), dt.date(2025, 7, 1)
    # 06652 was Phường Hà Phong (TP Hạ Long) before the reform and is Phường Hà Tu after it
    assert units.resolve_commune_on("06652", before) == ("06652", "06652")
    assert units.resolve_commune_on("06652", after) == ("06652", None)
    assert units.legacy_unit("06652").name == "Phường Hà Phong"
    assert units.commune("06652").name == "Phường Hà Tu"


def test_old_unit_only_code_rolls_up_and_divided_units_prefer_the_officers_commune():
    # 06655 Phường Hà Khẩu was divided between 06661 (main) and 06706
    assert units.rollup("06655") == "06661"
    assert units.rollup("06655", prefer=["06706"]) == "06706"
    assert units.resolve_commune_on("Phường Hà Khẩu", dt.date(2024, 5, 1), "22") == ("06661", "06655")


def test_heading_of_an_old_record_is_the_old_unit_with_its_district():
    head = units.heading_for("06652", "06652", dt.date(2025, 1, 2))
    assert (head.commune_name, head.district_name, head.province_name, head.pre_reform) == (
        "Phường Hà Phong", "Thành phố Hạ Long", "Tỉnh Quảng Ninh", True)
    new = units.heading_for("06652", "06652", dt.date(2025, 7, 1))
    assert (new.commune_name, new.district_name, new.pre_reform) == ("Phường Hà Tu", None, False)
    assert units.heading_for("06652", None, dt.date(2024, 1, 1)).commune_name == "Phường Hà Tu"


def test_unknown_values():
    assert units.legacy_unit("99999") is None and units.rollup("99999") is None
    assert units.resolve_commune_on("99999", dt.date(2024, 1, 1)) == (None, None)
    assert units.heading_for(None, None, None) is None
