"""Each record kind's field description (services/kinds/<kind>.py FIELDS) matches its model, and what is generated
from it (import/export columns, form, detail rows) is what README and the screens show."""
from __future__ import annotations

import pytest

from models.records import MODEL_BY_KIND
from services.kinds import KIND_RULES
from services.kinds.fields import detail_fields
from services.records.columns import EXTRA_COLUMNS, IMPORT_COLUMNS

# Model fields that are bookkeeping, not described: they are never typed, imported, shown or printed as fields.
INTERNAL = {
    "*": {
        "created_at", "updated_at", "last_modified",   # timestamps (models.base.SyncedModel)
        "device_id",                                   # the device that last wrote the record (sync)
        "deleted",                                     # soft delete / tombstone flag
    },
    # The status history is written by the legal-aid save, never edited as a field.
    "legal-aid": {"status_history"},
}

DESCRIBED = {kind: rules.FIELDS for kind, rules in KIND_RULES.items() if hasattr(rules, "FIELDS")}


def test_the_record_kinds_with_files_are_described():
    assert {"dissemination", "legal-aid", "mediation"} <= set(DESCRIBED)


@pytest.mark.parametrize("kind", sorted(DESCRIBED))
def test_every_model_field_has_a_description_and_every_description_a_model_field(kind):
    model = MODEL_BY_KIND[kind]
    stored = set(model._meta.fields) - INTERNAL["*"] - INTERNAL.get(kind, set())
    described = {spec.attribute.split(".")[0] for spec in DESCRIBED[kind].values()}
    assert stored - described == set(), f"{kind}: model fields without a description"
    assert described - set(model._meta.fields) == set(), f"{kind}: descriptions naming no model field"
    for spec in DESCRIBED[kind].values():       # "requester.phone": a field of the related record
        if "." in spec.attribute:
            relation, name = spec.attribute.split(".")
            assert name in model._meta.fields[relation].rel_model._meta.fields, spec.name


# README "Import/export columns": the order and keys of the files are a contract.
README_COLUMNS = {
    "dissemination": (["date", "commune_code", "village", "form", "topic", "laws", "target_groups", "participants",
                       "participants_women", "participants_ethnic_minority", "materials_distributed", "language",
                       "presenter", "notes"],
                      ["id", "historic_commune_code", "feedback_respondents", "feedback_useful", "questions_asked",
                       "followup_requests"]),
    "legal-aid": (["received_date", "commune_code", "requester_name", "gender", "birth_year", "ethnicity",
                   "id_number", "phone", "beneficiary_category", "legal_field", "aid_form", "status", "closed_date",
                   "outcome", "summary"],
                  ["id", "number", "historic_commune_code", "village", "beneficiary_name", "request_content",
                   "provider", "referred_to", "status_date", "status_reason", "birth_date"]),
    "mediation": (["received_date", "commune_code", "village", "team", "dispute_field", "parties", "mediators",
                   "outcome", "closed_date", "summary"],
                  ["id", "number", "historic_commune_code", "agreement", "implementation", "assigned_date",
                   "invited", "rights_obligations", "implementation_deadline"]),
}


@pytest.mark.parametrize("kind", sorted(README_COLUMNS))
def test_generated_columns_keep_the_documented_order(kind):
    assert (IMPORT_COLUMNS[kind], EXTRA_COLUMNS[kind]) == README_COLUMNS[kind]


# The detail view's rows, as the screens showed them before the descriptions (same fields, same order).
DETAIL_ROWS = {
    "legal-aid": ["number", "received_date", "commune_code", "requester", "requester.id_number", "requester.phone",
                  "requester.village", "beneficiary_category", "legal_field", "aid_form", "status", "provider",
                  "referred_to", "outcome", "closed_date", "request_content", "summary"],
    "dissemination": ["date", "commune_code", "village", "form", "topic", "laws", "target_groups", "language",
                      "participants", "participants_women", "participants_ethnic_minority", "materials_distributed",
                      "presenter", "notes", "feedback_respondents", "feedback_useful", "questions_asked",
                      "followup_requests"],
    "mediation": ["number", "received_date", "commune_code", "village", "team", "parties", "invited",
                  "dispute_field", "mediators", "assigned_date", "outcome", "closed_date", "summary", "agreement",
                  "rights_obligations", "implementation", "implementation_deadline"],
}


@pytest.mark.parametrize("kind", sorted(DETAIL_ROWS))
def test_detail_rows_keep_their_order(kind):
    assert [spec.label_key for spec in detail_fields(DESCRIBED[kind])] == [f"field.{n}" for n in DETAIL_ROWS[kind]]


FORM_KEYS = {
    "legal-aid": [("form.section.case", ["received_date", "commune_code", "historic_commune_code",
                                         "beneficiary_category", "legal_field", "aid_form", "provider"]),
                  ("form.section.requester", ["requester.full_name", "requester.gender", "requester.birth_year",
                                              "requester.birth_date", "requester.ethnicity", "requester.id_number",
                                              "requester.phone", "requester.village"]),
                  ("form.section.content", ["request_content"]),
                  ("form.section.status", ["status", "status_date", "referred_to", "status_reason", "outcome",
                                           "closed_date", "summary"])],
    "dissemination": [("form.section.event", ["date", "commune_code", "historic_commune_code", "village", "form",
                                              "language", "presenter", "topic", "laws", "target_groups"]),
                      ("form.section.participants", ["participants", "participants_women",
                                                     "participants_ethnic_minority", "materials_distributed",
                                                     "notes"]),
                      ("form.section.feedback", ["feedback_respondents", "feedback_useful", "questions_asked",
                                                 "followup_requests"])],
    "mediation": [("form.section.case", ["received_date", "commune_code", "historic_commune_code", "village",
                                         "team_id", "dispute_field", "basis", "assigned_date", "mediators"]),
                  ("form.section.parties", ["parties[1].full_name", "parties[2].full_name", "parties[3].full_name",
                                            "parties[4].full_name", "invited", "summary"]),
                  ("form.section.result", ["outcome", "closed_date", "referred_to", "agreement",
                                           "rights_obligations", "implementation", "implementation_deadline"])],
}


@pytest.mark.parametrize("kind", sorted(FORM_KEYS))
def test_form_sections_keep_their_fields_and_order(kind):
    from ui.state.forms import SPECS
    assert [(title, [f.key for f in fields]) for title, fields in SPECS[kind]] == FORM_KEYS[kind]


@pytest.mark.parametrize("kind", sorted(DESCRIBED))
def test_every_label_is_in_the_message_catalog(kind):
    from services import i18n
    catalog = i18n.catalog()
    missing = [s.label_key for s in DESCRIBED[kind].values()
               if (s.form or s.detail is not None) and "ui." + s.label_key not in catalog]
    assert missing == []



def test_a_new_field_is_read_from_its_description_alone(db, monkeypatch):
    """Adding a plain field to a kind is its FieldSpec (README "Adding a field"): normalize reads it with the
    description's limits, without a line of its own, and the generated columns and detail rows list it."""
    from services.errors import ValidationError
    from services.kinds import dissemination
    from services.kinds.fields import FieldSpec, Form, extra_columns
    from tests import factories
    spec = FieldSpec("weather", max_len=10, column=99, form=Form("form.section.event"), detail=99)
    monkeypatch.setitem(dissemination.FIELDS, "weather", spec)
    assert dissemination.normalize(factories.dissemination(weather="Nắng"), None, None)["weather"] == "Nắng"
    with pytest.raises(ValidationError) as err:
        dissemination.normalize(factories.dissemination(weather="Mưa rất to cả ngày"), None, None)
    assert [e.field for e in err.value.errors] == ["weather"]
    assert extra_columns(dissemination.FIELDS)[-1] == "weather" and detail_fields(dissemination.FIELDS)[-1] is spec


def test_error_messages_name_a_field_by_its_catalog_label(db):
    """The label of a field's messages is the description's label key in assets/messages, never a string in
    normalize: a too-long topic says "Chủ đề" / "Topic" (ui.field.topic)."""
    from services.errors import ValidationError
    from services.kinds import dissemination
    from tests import factories
    with pytest.raises(ValidationError) as err:
        dissemination.normalize(factories.dissemination(topic="x" * 501), None, None)
    assert [(e.field, e.vi, e.en) for e in err.value.errors] == [
        ("topic", "Chủ đề dài quá 500 ký tự", "Topic is longer than 500 characters")]
