"""vi-VN number and date formatting through Babel (2.117.503; 24/11/2026).

    fmt_int(2117503) == "2.117.503";  fmt_date(date(2026, 11, 24)) == "24/11/2026"
    fmt_percent(12.5) == "12,5%";      fmt_change(120, 100) == "+20,0%"
    change_pct(120, 100) == 20.0;      fmt_change_pct(-12.5) == "-12,5%";  fmt_change_pct(None) == "—"

change_pct and fmt_change_pct are the one percent change and its one text: tallies, their PDF/XLSX, the
dashboard and the reports screen all go through them.
"""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALES = {"vi": "vi_VN", "en": "en_US"}


def fmt_int(n, lang: str = "vi") -> str:
    return format_decimal(int(n or 0), locale=LOCALES[lang])


def fmt_decimal(x, lang: str = "vi", digits: int = 1) -> str:
    return format_decimal(round(float(x or 0), digits), format="#,##0." + "0" * digits, locale=LOCALES[lang])


def fmt_percent(x, lang: str = "vi", digits: int = 1) -> str:
    return fmt_decimal(x, lang, digits) + "%"


def change_pct(current, previous) -> float | None:
    """Change from `previous` to `current` in percent, rounded to 0.1; None when there is nothing to compare
    (previous missing or 0, or current missing)."""
    if previous in (None, 0) or current is None:
        return None
    return round((current - previous) * 100.0 / previous, 1)


def fmt_change_pct(pct, lang: str = "vi") -> str:
    """A change in percent as text: '+20,0%', '-12,5%', '0,0%', or '—' when there is none (None)."""
    if pct is None:
        return "—"
    return ("+" if pct > 0 else "") + fmt_percent(pct, lang)


def fmt_change(current, previous, lang: str = "vi") -> str:
    """Signed change in percent, or '—' when the previous value is 0."""
    return fmt_change_pct(change_pct(current, previous), lang)


def fmt_date(d: dt.date | None, lang: str = "vi") -> str:
    if d is None:
        return ""
    return format_date(d, "dd/MM/yyyy", locale=LOCALES[lang])


def fmt_long_date(d: dt.date) -> str:
    """The date of a printed document per NĐ 30/2020/NĐ-CP (Phụ lục I): a leading zero only on days below 10 and
    on months 1 and 2 — 'ngày 05 tháng 3 năm 2026', 'ngày 01 tháng 02 năm 2026', 'ngày 15 tháng 11 năm 2026'.
    Every document's date line goes through this one function (services.printing.document.date_line)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"
