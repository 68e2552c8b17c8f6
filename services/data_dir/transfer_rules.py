"""Rules a transfer file's records must pass before anything is stored (services/data_dir/transfer.py calls these).

    problems = commune_problems(records, ["07090", "07093"])   # records of other communes, listed
    problems = record_problems(n, item, ctx)                   # the kind's own rules (services.kinds normalize)

Both return FieldErrors naming the record ("Bản ghi #12 (legal-aid <id>)") and the field; the caller gathers
all of them and raises one ValidationError (exit 2), so the officer sees every problem and nothing is stored.
"""
from __future__ import annotations

from services.errors import FieldError, ValidationError
from services.i18n import t

# Kinds whose records belong to one commune (a person's commune is where they live, which may be elsewhere;
# sessions follow their case; officers list their own communes).
COMMUNE_KINDS = {"legal-aid", "mediation", "mediation-team", "dissemination", "assessment"}
MAX_LISTED = 200


def _label(n: int, item: dict, lang: str) -> str:
    return t("transfer.record_invalid", lang, n=n + 1, kind=item.get("kind"), id=item.get("id"))


def _error(n: int, item: dict, field: str, vi: str, en: str) -> FieldError:
    return FieldError(f"{_label(n, item, 'vi')} {field}", vi, en)


def commune_problems(records: list[dict], communes: list[str]) -> list[FieldError]:
    """Records of a commune outside `communes` (the officer profile's). No communes in the profile: nothing to
    check against (a folder that was never set up)."""
    allowed = {str(c) for c in communes or []}
    if not allowed:
        return []
    listed = ", ".join(sorted(allowed))
    out = []
    for n, item in enumerate(records):
        if item.get("kind") not in COMMUNE_KINDS:
            continue
        code = str((item.get("doc") or {}).get("commune_code") or "")
        if code not in allowed:
            fmt = {"code": code or "—", "communes": listed}
            out.append(_error(n, item, "commune_code", t("transfer.other_commune", "vi", **fmt),
                              t("transfer.other_commune", "en", **fmt)))
    return out


def record_problems(n: int, item: dict, ctx) -> list[FieldError]:
    """The kind's rules (the same normalize() a form save and a spreadsheet import use) applied to the
    record's document, as a new record. References (requester_id, case_id, parties, …) are looked up in the
    database, so the caller checks records in dependency order after storing the earlier ones."""
    from services.kinds import KIND_RULES
    rules = KIND_RULES.get(item.get("kind"))
    if rules is None:                      # audit entries, assessments: structure checked by the caller
        return []
    try:
        rules.normalize(dict(item["doc"]), None, ctx)
    except ValidationError as exc:
        return [_error(n, item, e.field, e.vi, e.en) for e in exc.errors]
    except (TypeError, ValueError, AttributeError) as exc:        # a value of the wrong JSON type
        return [_error(n, item, "doc", f"giá trị không hợp lệ ({type(exc).__name__})",
                       f"invalid value ({type(exc).__name__})")]
    return []


def raise_if_any(problems: list[FieldError]) -> None:
    if not problems:
        return
    if len(problems) > MAX_LISTED:
        more = len(problems) - MAX_LISTED
        problems = problems[:MAX_LISTED] + [FieldError("…", f"và {more} lỗi khác", f"and {more} more")]
    raise ValidationError(problems)
