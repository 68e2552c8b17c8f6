"""Overview dashboard: this year so far vs the same period last year per kind, charts by month and by field,
unsynced records and the last successful sync.

    d = DashboardState(app); d.load()
    d.cards -> [{"kind", "count", "prev", "change", "extra"}];  d.by_month["legal-aid"] -> [(this, last) × 12]
"""
from __future__ import annotations

import datetime as dt

import flet as ft

from services import catalogs
from services.dates import today_local
from services.formatting import fmt_change, fmt_int, fmt_percent
from services.records import listing
from services.reports import periods, tally

KINDS = ("legal-aid", "mediation", "dissemination")
FIELD_CATALOG = {"legal-aid": ("field", "legal_fields"), "mediation": ("field", "dispute_fields"),
                 "dissemination": ("form", "dissemination_forms")}


def _count(kind, start, end, communes=None) -> int:
    return listing.count(listing.ListQuery(kind=kind, date_from=start, date_to=end, communes=communes or []))


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    return start, dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


@ft.observable
class DashboardState:
    def __init__(self, app):
        self._app = app
        self.cards = []
        self.by_month = {}
        self.by_field = {}
        self.chart_kind = "legal-aid"
        self.unsynced = 0
        self.last_sync = ""
        self.loaded_revision = -1
        self.today = today_local()
        self._tally = None

    def needs_load(self) -> bool:
        return self.loaded_revision != self._app.revision

    def ensure_loaded(self) -> None:
        if self.needs_load():
            self.load()

    def load(self) -> None:
        lang = self._app.lang
        today = today_local()
        start = dt.date(today.year, 1, 1)
        period = periods.custom(start, today)
        data = tally.compute(period, communes=self._app.communes or None, by_commune=False)
        sections = {"legal-aid": (data.legal_aid, "total"), "mediation": (data.mediation, "total"),
                    "dissemination": (data.dissemination, "sessions")}
        cards = []
        for kind in KINDS:
            sec, key = sections[kind]
            n, p = sec[key] or 0, sec.get(f"previous_{key}") or 0
            card = {"kind": kind, "count": fmt_int(n, lang), "prev": fmt_int(p, lang),
                    "change": fmt_change(n, p, lang), "up": n >= p, "extra": ""}
            if kind == "dissemination":
                a, b = sec["participants"] or 0, sec.get("previous_participants") or 0
                card["extra"] = self._app.t("overview.participants", n=fmt_int(a, lang), prev=fmt_int(b, lang),
                                            change=fmt_change(a, b, lang))
            elif kind == "mediation":
                rate = sec.get("success_rate")
                card["extra"] = self._app.t("overview.success_rate",
                                            rate="—" if rate is None else fmt_percent(rate, lang))
            cards.append(card)
        self._tally = data
        self.cards = cards
        self.today = today
        self._load_charts(today)
        from services.sync import pending
        status = pending.summary(lang)      # records, not change-log (audit) entries: "6 hồ sơ chưa gửi"
        self.unsynced = sum(status["pending"].values())
        ok = status.get("last_success")     # moved only by a run without errors
        self.last_sync = _when(ok) if ok else ""
        self.loaded_revision = self._app.revision

    def _load_charts(self, today: dt.date) -> None:
        kind = self.chart_kind
        months = []
        for m in range(1, 13):
            s, e = month_bounds(today.year, m)
            ls, le = month_bounds(today.year - 1, m)
            communes = self._app.communes
            this = _count(kind, s, min(e, today), communes) if s <= today else 0
            months.append((this, _count(kind, ls, le, communes)))
        self.by_month = {kind: months}
        name, catalog = FIELD_CATALOG[kind]
        section = {"legal-aid": "legal_aid", "mediation": "mediation", "dissemination": "dissemination"}[kind]
        key = "by_form" if kind == "dissemination" else "by_field"
        counts = self._tally.section(section).get(key, {}) if self._tally else {}
        fields = [(catalogs.label(catalog, code, self._app.lang), n) for code, n in counts.items() if n]
        self.by_field = {kind: sorted(fields, key=lambda x: -x[1])[:8]}

    def set_chart_kind(self, kind: str) -> None:
        self.chart_kind = kind
        self._load_charts(today_local())
        self.notify()


def _when(value) -> str:
    if isinstance(value, (int, float)):
        value = dt.datetime.fromtimestamp(value / (1000 if value > 1e11 else 1), dt.UTC).isoformat()
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M")
