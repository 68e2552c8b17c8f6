"""Rules for a legal dissemination event (Luật PBGDPL 2012): counts consistent (women and ethnic-minority
participants ≤ participants), catalog codes, language "vi" or an ethnic group."""
from __future__ import annotations

from services import catalogs
from services.errors import Collector
from services.kinds.common import MISSING, commune_code, effective, keep
from services.kinds.fields import FieldSpec, Form, describe, read_fields
from services.kinds.units import historic_commune, read_units, record_day

_EVENT, _PEOPLE, _FEEDBACK = "form.section.event", "form.section.participants", "form.section.feedback"

# The description of an event's fields, in form order (see services/kinds/fields.py). `column` and `detail` are
# the positions in the import/export files (README "Import/export columns") and in the detail view.
FIELDS = describe(
    FieldSpec("date", "date", required=True, column=1, template=True, form=Form(_EVENT), detail=1, printed=True),
    FieldSpec("commune_code", "commune", required=True, column=2, template=True, form=Form(_EVENT), detail=2,
              printed=True),
    FieldSpec("historic_commune_code", "historic", column=16, form=Form(_EVENT)),
    FieldSpec("village", max_len=120, column=3, template=True, form=Form(_EVENT, widget="village"), detail=3,
              printed=True),
    FieldSpec("form", "code", "dissemination_forms", required=True, column=4, template=True, form=Form(_EVENT),
              detail=4, printed=True),
    FieldSpec("language", "language", column=12, template=True, form=Form(_EVENT), detail=8, printed=True),
    FieldSpec("presenter", max_len=200, column=13, template=True, form=Form(_EVENT), detail=13, printed=True),
    FieldSpec("topic", required=True, max_len=500, column=5, template=True, form=Form(_EVENT, width=6), detail=5,
              printed=True),
    FieldSpec("laws", max_len=2000, column=6, template=True, form=Form(_EVENT, width=6), detail=6, printed=True),
    FieldSpec("target_groups", "codes", "target_groups", column=7, template=True, form=Form(_EVENT, width=6),
              detail=7, printed=True),
    FieldSpec("participants", "int", column=8, template=True, form=Form(_PEOPLE), detail=9, printed=True),
    FieldSpec("participants_women", "int", column=9, template=True, form=Form(_PEOPLE), detail=10, printed=True),
    FieldSpec("participants_ethnic_minority", "int", column=10, template=True, form=Form(_PEOPLE), detail=11,
              printed=True),
    FieldSpec("materials_distributed", "int", maximum=10_000_000, column=11, template=True, form=Form(_PEOPLE),
              detail=12, printed=True),
    FieldSpec("notes", "multiline", max_len=5000, column=14, template=True, form=Form(_PEOPLE, width=6),
              detail=14, printed=True),
    # Migration 0002: optional effectiveness feedback; blank means "not asked", never 0.
    FieldSpec("feedback_respondents", "count", column=17, form=Form(_FEEDBACK), detail=15, printed=True),
    FieldSpec("feedback_useful", "count", column=18, form=Form(_FEEDBACK), detail=16, printed=True),
    FieldSpec("questions_asked", "count", column=19, form=Form(_FEEDBACK), detail=17, printed=True),
    FieldSpec("followup_requests", "count", column=20, form=Form(_FEEDBACK), detail=18, printed=True),
    FieldSpec("id", "id", column=15),
)


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
    values = keep({}, **read_fields(c, data, FIELDS, creating),
                  commune_code=commune_code(c, data, required=creating and FIELDS["commune_code"].required,
                                            on=record_day(data, "date", existing)),
                  language=_language(c, data))
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


def title(event, lang: str = "vi") -> str:
    """The event's heading (detail view): its topic."""
    return event.topic


def search_fields(event) -> dict:
    parts = [event.topic, event.laws, event.presenter, event.village, event.notes,
             catalogs.label("dissemination_forms", event.form), catalogs.language_label(event.language)]
    return {"number": None, "title": event.topic, "text": " ".join(p for p in parts if p),
            "date": event.date, "commune_code": event.commune_code}
