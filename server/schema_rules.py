"""Field rules of the synced record kinds, read from the client's own rules (services/kinds/*, assets/catalogs).

    rules = kind_field_rules("legal-aid")
    rules["received_date"] -> {"helper": "date", "required": True, "not_future": True, ...}
    rules["beneficiary_category"] -> {"helper": "category", "catalog": "beneficiary_categories", ...}
    property_rules(model, "received_date") -> JSON-schema keywords for that field (see below)

The kind modules validate user input procedurally, through the helpers of services.kinds.common (`text`,
`date`, `integer`, `category`, `category_list`, `commune_code`). To turn those rules into the server's JSON
schemas without writing them down a second time, `kind_field_rules` runs a kind's `normalize({}, None, None)`
once with recording stand-ins in place of those helpers: each call says which field is checked by which helper
with which limits (max_len, catalog, not_future, minimum/maximum, required). Fields added to a kind module
(or codes added to a catalog) therefore reach the server schemas at the next `server.bootstrap` run, with no
change here. Fields that no helper checks keep the model-derived type and get a generous length cap.

Schema keywords produced (standard JSON Schema where it can express the rule, `x-plcs-*` annotations that
server/kinto_guard.py enforces where it cannot — jsonschema ignores unknown keywords):
- text: `maxLength`;
- date: `pattern` YYYY-MM-DD, `format: date`, and `x-plcs-date: {"min": "1900-01-01", "not_future": bool}` (a
  real calendar date, not before 1900, not in the future when the rule says so — the guard checks these);
- integer: `minimum` / `maximum`; a maximum equal to the current year (birth years) becomes
  `x-plcs-max-current-year: true` so the stored schema does not expire at New Year;
- category: `enum` of EVERY code the catalog has ever had (entries with valid_from/valid_to included: old
  records keep historic codes), plus "" when the field is optional; `x-plcs-catalog` names the catalog;
- category_list: an array of such codes;
- commune_code: 5 digits (or "" when optional); on kinds whose commune_code is required (records that live in
  their commune's bucket: services/sync/routing.py) `x-plcs-bucket-commune: true` — the guard checks that it
  equals the bucket's commune;
- the CCCD and phone patterns of services.kinds.person (ID_NUMBER, PHONE), "" allowed.
"""
from __future__ import annotations

import inspect
from functools import cache

HELPERS = ("text", "date", "integer", "category", "category_list", "commune_code")
MIN_DATE = "1900-01-01"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
COMMUNE_PATTERN = r"^\d{5}$"
# A string field no kind rule limits: a cap far above any real value, so that nobody stores megabytes in it.
UNRULED_CHAR_MAX = 2_000
UNRULED_TEXT_MAX = 100_000
PROBE_ERRORS: dict[str, str] = {}     # kind -> what stopped its probe early (should stay empty)


def _kind_modules() -> dict:
    from services.kinds import KIND_RULES
    return dict(KIND_RULES)


def _patterns() -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, field) -> (regex, description) for the checks the kind modules make inline, not via a helper."""
    from services.kinds import person
    cccd = (person.ID_NUMBER.pattern, "CCCD: exactly 12 digits, or empty")
    phone = (person.PHONE.pattern, "phone: 10-11 digits starting with 0, or empty")
    return {("person", "id_number"): cccd, ("person", "phone"): phone, ("officer", "phone"): phone}


class _Recorder:
    """Stand-ins for the helpers of services.kinds.common that note how each field is checked."""

    def __init__(self):
        from services.kinds import common
        self.common = common
        self.calls: dict[str, dict] = {}

    def make(self, helper: str):
        real = getattr(self.common, helper)
        signature = inspect.signature(real)

        def stand_in(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            params = {k: v for k, v in bound.arguments.items() if k not in ("c", "data")}
            name = params.pop("name", None)
            if isinstance(name, str) and name not in self.calls:
                self.calls[name] = {"helper": helper, **params}
            return self.common.MISSING

        return stand_in


@cache
def kind_field_rules(kind: str) -> dict[str, dict]:
    """{field: {"helper": …, parameters…}} of one kind, as its normalize() checks a new record."""
    module = _kind_modules().get(kind)
    if module is None or not hasattr(module, "normalize"):
        return {}
    recorder = _Recorder()
    # every module normalize may reach (e.g. legal_aid -> person, or services.kinds.fields.read, which reads a
    # described field through the same helpers): patch the helper names they imported
    import sys

    import services.kinds.fields  # noqa: F401 — loaded, so that its helper names are patched too
    modules = set(_kind_modules().values()) | {m for name, m in list(sys.modules.items())
                                               if name.startswith("services.kinds.") and m is not None
                                               and name != "services.kinds.common"}   # the real helpers
    saved = []
    for m in modules:
        for helper in HELPERS:
            if hasattr(m, helper):
                saved.append((m, helper, getattr(m, helper)))
                setattr(m, helper, recorder.make(helper))
    from services.errors import ValidationError
    try:
        module.normalize({}, None, None)
    except ValidationError:           # expected: the required fields are missing; the calls are recorded
        pass
    except Exception as exc:          # noqa: BLE001 — a rule that needs more than the helpers (e.g. the
        # database) stopped the probe early: the fields after it keep only their model types. Recorded so
        # that tests/test_server_guard.py fails loudly instead of the schemas silently losing rules.
        PROBE_ERRORS[kind] = f"{type(exc).__name__}: {exc}"
    finally:
        for m, helper, original in saved:
            setattr(m, helper, original)
    return recorder.calls


def _catalog_codes(catalog: str) -> list[str]:
    from services import catalogs
    return sorted({e["code"] for e in catalogs._load(catalog)["entries"]})


def _with_null(schema: dict, nullable: bool) -> dict:
    if nullable and "type" in schema and not isinstance(schema["type"], list):
        schema["type"] = [schema["type"], "null"]
    if nullable and "enum" in schema and None not in schema["enum"]:
        schema["enum"] = schema["enum"] + [None]
    return schema


def _this_year() -> int:
    from services.dates import today_local
    return today_local().year


def _optional_pattern(pattern: str) -> str:
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") else body
    return f"^(?:{body})?$"


def property_schema(model, field, base: dict) -> dict:
    """`base` (the type derived from the peewee field) refined by the kind rules of `field`."""
    from peewee import CharField, DateField, DateTimeField, TextField
    kind = model.KIND
    rule = kind_field_rules(kind).get(field.name)
    schema = dict(base)
    nullable = bool(field.null)
    helper = rule["helper"] if rule else None
    if helper == "text":
        schema["maxLength"] = int(rule["max_len"])
    elif helper == "date" or (helper is None and isinstance(field, DateField)
                              and not isinstance(field, DateTimeField)):
        schema["pattern"] = DATE_PATTERN
        schema["format"] = "date"
        schema["x-plcs-date"] = {"min": MIN_DATE, "not_future": bool(rule["not_future"]) if rule else False}
    elif helper == "integer":
        schema["minimum"] = int(rule["minimum"])
        maximum = int(rule["maximum"])
        if abs(maximum - _this_year()) <= 1:      # "not after this year" (today_local().year in the rule)
            schema["x-plcs-max-current-year"] = True
        else:
            schema["maximum"] = maximum
    elif helper == "category":
        codes = _catalog_codes(rule["catalog"])
        schema.pop("type", None)
        schema["enum"] = codes + ([] if rule.get("required") else [""])
        schema["x-plcs-catalog"] = rule["catalog"]
    elif helper == "category_list":
        schema["items"] = {"enum": _catalog_codes(rule["catalog"])}
        schema["x-plcs-catalog"] = rule["catalog"]
    if field.name == "commune_code":
        required = not field.null and field.default is None
        schema["pattern"] = COMMUNE_PATTERN if required else _optional_pattern(COMMUNE_PATTERN)
        if required:
            schema["x-plcs-bucket-commune"] = True
    pattern = _patterns().get((kind, field.name))
    if pattern is not None:
        schema["pattern"] = _optional_pattern(pattern[0])
        schema["description"] = pattern[1]
    if isinstance(field, (CharField, TextField)) and "maxLength" not in schema and "enum" not in schema \
            and "string" in str(schema.get("type")):
        limit = getattr(field, "max_length", None) if isinstance(field, CharField) else None
        schema["maxLength"] = limit if limit and limit != 255 else (
            UNRULED_TEXT_MAX if isinstance(field, TextField) else UNRULED_CHAR_MAX)
    return _with_null(schema, nullable)
