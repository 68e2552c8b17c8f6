"""Rules for a legal-aid case (Luật TGPL 2017): beneficiary categories (Điều 7, as amended by Luật 53/2024/QH15
and 59/2024/QH15) valid on the received date — a stored record keeps its category —, the status lifecycle
from assets/catalogs/legal_aid_statuses.json, dates in order, outcome only for litigation.

Requester/beneficiary are given as nested person dicts (`requester`, `beneficiary`) or as ids
(`requester_id`, `beneficiary_id`); services.records.store creates/updates the Person rows.
"""
from __future__ import annotations

from models.records import Person
from services import catalogs
from services.dates import today_local
from services.errors import Collector
from services.kinds import person as person_rules
from services.kinds.common import MISSING, category, commune_code, effective, keep
from services.kinds.fields import FieldSpec, Form, describe, read_fields
from services.kinds.units import historic_commune, read_units, record_day

_CASE, _REQ, _CONTENT, _STATUS = ("form.section.case", "form.section.requester", "form.section.content",
                                  "form.section.status")

# The description of a case's fields, in form order (see services/kinds/fields.py). `column` and `detail` are
# the positions in the import/export files (README "Import/export columns") and in the detail view. The
# requester's fields are the Person's (model "requester.<field>"), checked by services.kinds.person.
FIELDS = describe(
    FieldSpec("received_date", "date", required=True, column=1, template=True, form=Form(_CASE), detail=2,
              printed=True),
    FieldSpec("commune_code", "commune", required=True, column=2, template=True, form=Form(_CASE), detail=3,
              printed=True),
    FieldSpec("historic_commune_code", "historic", column=18, form=Form(_CASE)),
    # custom: checked against the catalog as valid on the received date (normalize), a stored code kept
    FieldSpec("beneficiary_category", "code", "beneficiary_categories", required=True, column=9, template=True,
              form=Form(_CASE), detail=8, shown_as="display", printed=True, custom=True),
    FieldSpec("legal_field", "code", "legal_fields", required=True, column=10, template=True, form=Form(_CASE),
              detail=9, printed=True),
    FieldSpec("aid_form", "code", "aid_forms", required=True, column=11, template=True, form=Form(_CASE),
              detail=10, printed=True),
    FieldSpec("provider", max_len=200, column=22, form=Form(_CASE), detail=12, printed=True),
    FieldSpec("requester_name", required=True, model="requester.full_name", label="field.requester", column=3,
              template=True, form=Form(_REQ), detail=4, shown_as="person", printed=True),
    FieldSpec("gender", "code", "genders", model="requester.gender", column=4, template=True, form=Form(_REQ, width=1)),
    FieldSpec("birth_year", "year", model="requester.birth_year", column=5, template=True, form=Form(_REQ, width=1)),
    FieldSpec("birth_date", "date", model="requester.birth_date", column=26, form=Form(_REQ)),
    FieldSpec("ethnicity", "code", "ethnic_groups", model="requester.ethnicity", column=6, template=True,
              form=Form(_REQ)),
    FieldSpec("id_number", model="requester.id_number", column=7, template=True,
              form=Form(_REQ), detail=5, shown_as="identifier"),
    FieldSpec("phone", model="requester.phone", column=8, template=True,
              form=Form(_REQ), detail=6, shown_as="identifier"),
    FieldSpec("village", model="requester.village", column=19,
              form=Form(_REQ, widget="village"), detail=7),
    FieldSpec("request_content", "multiline", max_len=5000, column=21, form=Form(_CONTENT, width=6), detail=16,
              printed=True),
    # Also on a new case: a case referred while recording needs no second edit. The choices follow the
    # catalog's "next" (status_choices); the save records the history.
    FieldSpec("status", "code", "legal_aid_statuses", column=12, template=True, form=Form(_STATUS, widget="status"),
              detail=11, printed=True),
    FieldSpec("status_date", "date", column=24, form=Form(_STATUS), printed=True),
    FieldSpec("referred_to", max_len=200, column=23, form=Form(_STATUS), detail=13, printed=True),
    FieldSpec("status_reason", max_len=2000, column=25, form=Form(_STATUS, width=6)),
    FieldSpec("outcome", "code", "legal_aid_outcomes", column=14, template=True,
              form=Form(_STATUS, width=1, edit_only=True), detail=14, printed=True),
    FieldSpec("closed_date", "date", column=13, template=True, form=Form(_STATUS, edit_only=True), detail=15,
              printed=True),
    FieldSpec("summary", "multiline", max_len=10000, column=15, template=True,
              form=Form(_STATUS, width=6, edit_only=True), detail=17),
    FieldSpec("beneficiary_name", "beneficiary", model="beneficiary.full_name", column=20, printed=True),
    FieldSpec("number", column=17, detail=1, printed=True, custom=True),   # given by services.records.numbering
    FieldSpec("id", "id", column=16),
)


def _person_ref(c: Collector, data: dict, role: str, ctx, required: bool):
    nested, ref_id = data.get(role, MISSING), data.get(f"{role}_id", MISSING)
    if isinstance(nested, dict):
        person_id = nested.get("id")
        existing = Person.get_or_none(Person.id == person_id) if person_id else None
        values = person_rules.normalize(nested, existing, ctx, c, prefix=f"{role}.")
        if existing is not None:
            values["id"] = existing.id
        return values
    if ref_id not in (MISSING, None, ""):
        if Person.get_or_none(Person.id == ref_id) is None:
            c.add(f"{role}_id", "Không tìm thấy người này", "No such person")
            return MISSING
        return str(ref_id)
    if required:
        c.add(role, "Chưa nhập người yêu cầu trợ giúp pháp lý", "The requester is required")
    return MISSING


def normalize(data: dict, existing, ctx) -> dict:
    data = read_units(data, "received_date", existing, ctx)
    c = Collector()
    creating = existing is None
    F = FIELDS
    values = keep({}, **read_fields(c, data, F, creating))
    on = values.get("received_date") or effective("received_date", {}, existing)
    keep(values,
         commune_code=commune_code(c, data, required=creating and F["commune_code"].required,
                                   on=record_day(data, "received_date", existing)),
         beneficiary_category=category(c, data, "beneficiary_category", F["beneficiary_category"].catalog,
                                       required=creating and F["beneficiary_category"].required, on=on,
                                       keep=existing.beneficiary_category if existing else None))
    requester = _person_ref(c, data, "requester", ctx, required=creating)
    if requester is not MISSING:
        values["requester"] = requester
    beneficiary = _person_ref(c, data, "beneficiary", ctx, required=False)
    if beneficiary is not MISSING:
        values["beneficiary"] = beneficiary

    _check_status(c, values, existing)
    received_eff = effective("received_date", values, existing)
    for name in ("closed_date", "status_date"):
        d = effective(name, values, existing)
        if d and received_eff and d < received_eff:
            c.add(name, "Ngày này trước ngày tiếp nhận", "This date is before the received date")
    outcome = effective("outcome", values, existing, "")
    if outcome and effective("aid_form", values, existing) != "to_tung":
        c.add("outcome", "Kết quả thành công/không chỉ áp dụng cho vụ việc tham gia tố tụng",
              "Success/failure applies only to litigation cases")
    historic_commune(c, data, values, existing, "received_date")
    c.raise_if_any()
    return values


def _check_status(c: Collector, values: dict, existing) -> None:
    old = existing.status if existing is not None else None
    new = values.get("status") or old or "received"
    values.setdefault("status", new)
    status = catalogs.get("legal_aid_statuses", new) or {}
    if old is not None and new != old:
        allowed = (catalogs.get("legal_aid_statuses", old) or {}).get("next", [])
        if new not in allowed:
            c.add("status", f"Không thể chuyển từ «{catalogs.label('legal_aid_statuses', old)}» sang "
                            f"«{catalogs.label('legal_aid_statuses', new)}»",
                  f"Cannot move from '{catalogs.label('legal_aid_statuses', old, 'en')}' to "
                  f"'{catalogs.label('legal_aid_statuses', new, 'en')}'")
            return
    changed = old != new
    if status.get("needs_reason") and changed and not values.get("status_reason"):
        c.add("status_reason", "Cần ghi lý do từ chối / không tiếp tục", "A reason is required")
    if status.get("terminal") and changed and not values.get("closed_date"):
        values["closed_date"] = values.get("status_date") or today_local()
    if changed:
        default_date = values.get("received_date") if old is None else None
        values["status_date"] = values.get("status_date") or default_date or today_local()


def before_save(instance, before: dict, creating: bool, actor: str) -> None:
    """This kind's step of every save (services.records.store.save, before the audit diff): a new case or a changed
    status goes on the case's status timeline."""
    if creating or before.get("status") != instance.status:
        instance.status_history = list(instance.status_history or []) + [history_entry(instance, actor)]


def history_entry(instance, actor: str) -> dict:
    return {"status": instance.status, "date": str(instance.status_date or instance.received_date),
            "reason": instance.status_reason, "by": actor}


def title(case, lang: str = "vi") -> str:
    """The case's heading (detail view): requester — legal field."""
    name = case.requester.full_name if case.requester_id else ""
    return f"{name} — {catalogs.label('legal_fields', case.legal_field, lang)}"


def search_fields(case) -> dict:
    req = case.requester
    ben = case.beneficiary if case.beneficiary_id else None
    parts = [case.number, req.full_name, req.phone, req.id_number,
             ben.full_name if ben else "", ben.phone if ben else "", ben.id_number if ben else "",
             catalogs.label("legal_fields", case.legal_field),
             catalogs.label("beneficiary_categories", case.beneficiary_category),
             case.request_content, case.summary, case.provider]
    return {"number": case.number, "title": title(case), "text": " ".join(p for p in parts if p),
            "date": case.received_date, "commune_code": case.commune_code}


def status_choices(current: str | None) -> list[str]:
    """Statuses the officer may pick for a case now in `current` (None: a new case): that status and those
    it may move to. A new case starts as received or moves on at once (referred while recording)."""
    current = current or "received"
    return [current, *(catalogs.get("legal_aid_statuses", current) or {}).get("next", [])]
