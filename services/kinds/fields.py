"""The field description of a record kind: one `FieldSpec` per stored field, in `services/kinds/<kind>.py` as
`FIELDS`. The import/export columns (services.records.columns), the export rows (services.records.exporting), the form
(ui.state.forms) and the detail rows (ui.state.details) are generated from it, and `normalize` reads every plain
field (text, date, number, catalog code) through `read_fields()` — its required flag, catalog, limits and label
(the message `ui.<label_key>` of assets/messages) from the description; a kind's own code reads only the fields
marked `custom` and the types read() does not know (commune, team, parties, names, language…).

    FIELDS = describe(
        FieldSpec("topic", "text", required=True, max_len=500, column=5, template=True,
                  form=Form("form.section.event", width=6), detail=5, printed=True),
    )
    FIELDS["topic"].required;  template_columns(FIELDS);  extra_columns(FIELDS)
    values = read_fields(c, data, FIELDS, creating)       # in normalize: {name: value} of every plain field given

Adding a field to a kind = one FieldSpec in services/kinds/<kind>.py + its label in assets/messages + a migration
(with the peewee model attribute) (+ the print layout if `printed`). README "Adding a field" walks through it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from services import i18n
from services.kinds.common import MISSING, category, category_list, date, integer, text

# Value types. The form widget defaults to the type's (WIDGETS); the export and detail rows format by type.
TYPES = ("text", "multiline", "date", "int", "count", "year", "code", "codes", "language", "names", "commune",
         "historic", "team", "parties", "beneficiary", "id")
WIDGETS = {"text": "text", "multiline": "multiline", "date": "date", "int": "int", "count": "int", "year": "int",
           "code": "choice", "codes": "multi", "language": "language", "names": "names", "commune": "commune",
           "historic": "historic", "team": "team", "parties": "parties"}
READ_TYPES = ("text", "multiline", "date", "int", "count", "code", "codes")    # the types read() checks


@dataclass(frozen=True)
class Form:
    """Where the field sits in the create/edit form: its section (message key), width (grid columns out of 6),
    widget (default: the type's), shown only when editing, the form key when it differs from the name."""
    section: str
    width: int = 2
    widget: str = ""
    edit_only: bool = False
    key: str = ""


@dataclass(frozen=True)
class FieldSpec:
    name: str                       # the document / model attribute name
    type: str = "text"              # one of TYPES
    catalog: str = ""               # catalog of a "code"/"codes" field (assets/catalogs)
    required: bool = False          # required when creating (the form marks it too)
    max_len: int = 2000             # text length limit
    maximum: int = 1_000_000        # upper bound of an int/count
    not_future: bool = True         # a date may not be after today
    label: str = ""                 # message key of the label (default "field.<name>", "field.<dotted model>")
    column: int | None = None       # position among the import/export columns (None: not in files)
    template: bool = False          # the column is in the import template (else an extra column)
    form: Form | None = None        # place in the form (None: not in the form)
    detail: int | None = None       # position among the detail rows (None: not shown)
    printed: bool = False           # a print layout shows it (services/printing/<kind>.py)
    model: str = ""                 # the model attribute when it differs from the name; a dotted path reads a
    #                                 related record ("requester.phone")
    shown_as: str = ""              # detail row shown as: "person" (name, gender, birth, ethnicity), "identifier"
    #                                 (masked unless revealed), "display" (catalog label with its validity)
    custom: bool = False            # read by the kind's own code in normalize (or never typed), not read_fields

    def __post_init__(self):
        assert self.type in TYPES, f"{self.name}: unknown field type {self.type!r}"

    @property
    def label_key(self) -> str:
        return self.label or f"field.{self.model if '.' in self.model else self.name}"

    @property
    def attribute(self) -> str:
        return self.model or self.name

    def value(self, inst):
        """The stored value (through the related record for a dotted `model`; None when that record is absent)."""
        for part in self.attribute.split("."):
            if inst is None:
                return None
            inst = getattr(inst, part)
        return inst

    @property
    def generic(self) -> bool:
        """read_fields() reads it: a plain type, a field of the record itself (not "requester.…"), not custom."""
        return self.type in READ_TYPES and not self.custom and "." not in self.model

    @property
    def form_key(self) -> str:
        return (self.form.key if self.form else "") or self.attribute

    @property
    def widget(self) -> str:
        return (self.form.widget if self.form else "") or WIDGETS.get(self.type, "text")


def describe(*fields: FieldSpec) -> dict[str, FieldSpec]:
    """The description as {name: spec} in form order; positions must be unique (checked at import)."""
    out = {f.name: f for f in fields}
    assert len(out) == len(fields), "duplicate field name"
    for attr in ("column", "detail"):
        places = [getattr(f, attr) for f in fields if getattr(f, attr) is not None]
        assert len(places) == len(set(places)), f"duplicate {attr} position"
    return out


def template_columns(fields: dict[str, FieldSpec]) -> list[str]:
    return [f.name for f in sorted((f for f in fields.values() if f.column is not None and f.template),
                                   key=lambda f: f.column)]


def extra_columns(fields: dict[str, FieldSpec]) -> list[str]:
    return [f.name for f in sorted((f for f in fields.values() if f.column is not None and not f.template),
                                   key=lambda f: f.column)]


def detail_fields(fields: dict[str, FieldSpec]) -> list[FieldSpec]:
    return sorted((f for f in fields.values() if f.detail is not None), key=lambda f: f.detail)


def date_columns(fields: dict[str, FieldSpec]) -> set[str]:
    return {f.name for f in fields.values() if f.column is not None and f.type == "date"}


def read(c, data: dict, spec: FieldSpec, creating: bool, **labels):
    """Validate and convert one simple field of the input with the checks of services.kinds.common, the limits
    taken from the description (required applies when creating). MISSING when absent or invalid."""
    required = creating and spec.required
    if spec.type in ("text", "multiline"):
        labels = labels or dict(zip(("label_vi", "label_en"), _labels(spec.label_key), strict=True))
        return text(c, data, spec.name, required=required, max_len=spec.max_len, **labels)
    if spec.type == "date":
        return date(c, data, spec.name, required=required, not_future=spec.not_future)
    if spec.type in ("int", "count"):
        return integer(c, data, spec.name, maximum=spec.maximum, required=required, nullable=spec.type == "count")
    if spec.type == "code":
        return category(c, data, spec.name, spec.catalog, required=required)
    if spec.type == "codes":
        return category_list(c, data, spec.name, spec.catalog)
    raise ValueError(f"{spec.name}: type {spec.type} is read by the kind's own rule")


def read_fields(c, data: dict, fields: dict[str, FieldSpec], creating: bool) -> dict:
    """{name: value} of every generic field of the description (see FieldSpec.generic), read with read() in
    description order; MISSING for one absent or invalid (services.kinds.common.keep drops those)."""
    return {spec.name: read(c, data, spec, creating) for spec in fields.values() if spec.generic}


@cache
def _labels(label_key: str) -> tuple[str, str]:
    """The field's label in Vietnamese and English for error messages ("" when the catalog has none: the
    messages then name the field)."""
    key = f"ui.{label_key}"
    if key not in i18n.catalog():
        return "", ""
    return i18n.t(key, "vi"), i18n.t(key, "en")


__all__ = ["MISSING", "FieldSpec", "Form", "describe", "read", "read_fields", "template_columns", "extra_columns",
           "detail_fields", "date_columns"]
