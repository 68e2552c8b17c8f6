"""Rules for a legal dissemination event (Luật PBGDPL 2012): counts consistent (women and ethnic-minority
participants ≤ participants), catalog codes, language "vi" or an ethnic group."""
from __future__ import annotations

from services import catalogs
from services.errors import Collector
from services.kinds.common import MISSING, category, category_list, commune_code, date, effective, integer, keep, text
from services.kinds.units import historic_commune, read_units, record_day


def _language(c: Collector, data: dict):
    value = data.get("language", MISSING)
    if value is MISSING:
        return MISSING
    code = catalogs.resolve_language(value)
    if code is None:
        c.add("language", f"Ngôn ngữ không hợp lệ: «{value}» (ví dụ: Tiếng Việt, Tiếng Dao)",
              f"Unknown language '{value}' (e.g. Tiếng Việt, Tiếng Dao)")
        return MISSING
    return code


def normalize(data: dict, existing, ctx) -> dict:
    data = read_units(data, "date", existing, ctx)
    c = Collector()
    creating = existing is None
    values = keep({},
                  date=date(c, data, "date", required=creating),
                  commune_code=commune_code(c, data, required=creating,
                                            on=record_day(data, "date", existing)),
                  village=text(c, data, "village", max_len=120),
                  form=category(c, data, "form", "dissemination_forms", required=creating),
                  topic=text(c, data, "topic", required=creating, max_len=500, label_vi="Chủ đề", label_en="Topic"),
                  laws=text(c, data, "laws", max_len=2000),
                  target_groups=category_list(c, data, "target_groups", "target_groups"),
                  language=_language(c, data),
                  participants=integer(c, data, "participants", maximum=1_000_000),
                  participants_women=integer(c, data, "participants_women", maximum=1_000_000),
                  participants_ethnic_minority=integer(c, data, "participants_ethnic_minority", maximum=1_000_000),
                  materials_distributed=integer(c, data, "materials_distributed", maximum=10_000_000),
                  presenter=text(c, data, "presenter", max_len=200),
                  notes=text(c, data, "notes", max_len=5000),
                  feedback_respondents=integer(c, data, "feedback_respondents", maximum=1_000_000, nullable=True),
                  feedback_useful=integer(c, data, "feedback_useful", maximum=1_000_000, nullable=True),
                  questions_asked=integer(c, data, "questions_asked", maximum=1_000_000, nullable=True),
                  followup_requests=integer(c, data, "followup_requests", maximum=1_000_000, nullable=True))
    total = effective("participants", values, existing, 0) or 0
    for name, vi, en in (("participants_women", "Số nữ", "Women"),
                         ("participants_ethnic_minority", "Số người dân tộc thiểu số", "Ethnic-minority participants"),
                         ("feedback_respondents", "Số người trả lời", "Respondents")):
        value = effective(name, values, existing, 0) or 0
        if value > total:
            c.add(name, f"{vi} ({value}) lớn hơn tổng số người tham dự ({total})",
                  f"{en} ({value}) exceed the total participants ({total})")
    useful = effective("feedback_useful", values, existing) or 0
    respondents = effective("feedback_respondents", values, existing) or 0
    if useful > respondents:
        c.add("feedback_useful", "Số người thấy hữu ích lớn hơn số người trả lời",
              "More found it useful than answered")
    historic_commune(c, data, values, existing, "date")
    c.raise_if_any()
    return values


def title(event) -> str:
    return event.topic


def search_fields(event) -> dict:
    parts = [event.topic, event.laws, event.presenter, event.village, event.notes,
             catalogs.label("dissemination_forms", event.form), catalogs.language_label(event.language)]
    return {"number": None, "title": event.topic, "text": " ".join(p for p in parts if p),
            "date": event.date, "commune_code": event.commune_code}
