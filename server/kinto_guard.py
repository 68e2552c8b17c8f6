"""Kinto plugin: only admins change the server layout or permissions; records and passwords are checked.

Officers get `write` on their commune's collections so that every officer of a commune can edit every record of
it. In Kinto, collection `write` also allows deleting the collection, replacing its JSON schema or its
permissions, deleting all its records in one request, and giving any record its own permissions (e.g. read for
`system.Everyone`). This plugin forbids those to everyone except the admin principals, and checks what the JSON
schemas cannot express:

- 403 (errno 121) on any change (PUT/PATCH/POST/DELETE) to buckets, collections and groups;
- 403 on DELETE of a records list (`DELETE /buckets/b/collections/c/records`);
- 403 on ANY record write that carries permissions: a `permissions` member in the body of POST (records list),
  PUT or PATCH (JSON, merge-patch), a JSON-Patch operation whose `path` or `from` starts with `/permissions`, or
  Kinto's internal `__permissions__` key smuggled inside `data`. Records inherit the bucket's and collection's
  permissions; nobody shares one record. Checked inside the record resource (`Record.process_object`, the
  extension point Kinto documents), i.e. on the body Kinto itself parsed, for every route and content type and
  for `/batch` sub-requests alike (they run the same resource code);
- 400 (errno 107) on a record that breaks the `x-plcs-*` rules of its collection schema (server/schema_rules.py):
  impossible or out-of-range dates, `commune_code` other than the bucket's commune, birth years in the future —
  and, when Kinto's own JSON-schema validation refuses a record, a readable message (field, shortened value,
  rule) instead of Kinto's (a regular expression, a list of 60 codes, or a 1 MB value echoed back);
- 400 on an account password that breaks server/password_policy.py (creation and changes, by anyone).

Enable it in the ini (the repository root must be importable, e.g. PYTHONPATH=/path/to/repo):

    kinto.includes = kinto.plugins.accounts server.kinto_guard
    kinto.plcs_admin_principals = account:admin          # default
"""
from __future__ import annotations

import datetime as dt

from jsonschema import Draft7Validator
from kinto.core.errors import ERRORS, http_error, raise_invalid
from pyramid.events import ContextFound
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden
from pyramid.settings import aslist

from server.password_policy import password_problems

LAYOUT_ROUTES = {"bucket-plural", "bucket-object", "collection-plural", "collection-object",
                 "group-plural", "group-object"}
WRITE_METHODS = {"PUT", "PATCH", "POST", "DELETE"}
PERMISSIONS_FIELD = "__permissions__"
IGNORED_FIELDS = {"id", "last_modified", "schema", PERMISSIONS_FIELD}
# A client in Asia/Ho_Chi_Minh is up to a day ahead of the server's UTC date.
CLOCK_SLACK = dt.timedelta(days=1)


def _forbid(message: str):
    return http_error(HTTPForbidden(), errno=ERRORS.FORBIDDEN, message=message)


def _is_admin(request, admins: set[str]) -> bool:
    return bool(admins & set(request.prefixed_principals or []))


# --- record permissions --------------------------------------------------------------------------------------
def body_sets_permissions(body, data) -> bool:
    """Whether a record write asks for record-level permissions, whatever its shape."""
    if isinstance(body, dict) and "permissions" in body:
        return True
    if isinstance(body, list):                            # JSON-Patch (RFC 6902)
        for op in body:
            if not isinstance(op, dict):
                continue
            for key in ("path", "from"):
                value = op.get(key)
                if isinstance(value, str) and (value == "/permissions" or value.startswith("/permissions/")):
                    return True
                if isinstance(value, str) and value.startswith(f"/data/{PERMISSIONS_FIELD}"):
                    return True
            if op.get("path") == "/data" and isinstance(op.get("value"), dict) \
                    and PERMISSIONS_FIELD in op["value"]:
                return True
    return isinstance(data, dict) and PERMISSIONS_FIELD in data


# --- record content ------------------------------------------------------------------------------------------
def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _short(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _custom_problems(schema: dict, bucket_id: str, record: dict) -> list[tuple[str, str]]:
    """The x-plcs-* rules of a collection schema (what JSON Schema cannot say)."""
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if name not in record or not isinstance(prop, dict):
            continue
        value = record[name]
        rule = prop.get("x-plcs-date")
        if rule and isinstance(value, str) and value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                out.append((name, f"{name}: «{_short(value)}» is not a real calendar date (YYYY-MM-DD)."))
                continue
            if day < dt.date.fromisoformat(rule.get("min", "1900-01-01")):
                out.append((name, f"{name}: {value} is before {rule.get('min', '1900-01-01')}."))
            elif rule.get("not_future") and day > _today() + CLOCK_SLACK:
                out.append((name, f"{name}: {value} is in the future."))
        if prop.get("x-plcs-max-current-year") and isinstance(value, int) and not isinstance(value, bool) \
                and value > (_today() + CLOCK_SLACK).year:
            out.append((name, f"{name}: {value} is in the future."))
        if prop.get("x-plcs-bucket-commune") and isinstance(value, str) and bucket_id.startswith("c-") \
                and value != bucket_id[2:]:
            out.append((name, f"{name}: «{_short(value)}» is not this bucket's commune ({bucket_id[2:]}); "
                              f"records are stored in their own commune's bucket."))
    return out


def _schema_problem(error, schema: dict) -> tuple[str, str]:
    """A readable message for one jsonschema error (instead of a regular expression or a 60-code list)."""
    field = str(error.path[0]) if error.path else (error.validator_value[-1] if error.validator == "required"
                                                    and error.validator_value else "data")
    prop = (schema.get("properties") or {}).get(field, {}) if isinstance(field, str) else {}
    value = error.instance
    if error.validator == "enum":
        catalog = prop.get("x-plcs-catalog")
        where = f"the catalog «{catalog}»" if catalog else "the allowed values"
        return field, f"{field}: «{_short(value)}» is not a code of {where}."
    if error.validator == "maxLength":
        return field, f"{field}: {len(value)} characters, more than the {error.validator_value} allowed."
    if error.validator == "pattern":
        if "x-plcs-date" in prop:
            return field, f"{field}: «{_short(value)}» is not a date YYYY-MM-DD."
        if field == "commune_code":
            return field, f"{field}: «{_short(value)}» is not a 5-digit commune code."
        rule = prop.get("description") or f"the pattern {error.validator_value}"
        return field, f"{field}: «{_short(value)}» does not match {rule}."
    if error.validator == "required":
        return field, error.message
    return field, f"{field}: {error.message[:300]}"


def check_record(schema: dict | None, bucket_id: str, record: dict) -> list[tuple[str, str]]:
    """(field, message) for every rule of the collection schema that `record` breaks; [] when valid."""
    if not schema:
        return []
    data = {k: v for k, v in record.items() if k not in IGNORED_FIELDS}
    problems = [_schema_problem(e, schema) for e in Draft7Validator(schema).iter_errors(data)]
    seen = {f for f, _ in problems}
    problems += [p for p in _custom_problems(schema, bucket_id, data) if p[0] not in seen]
    return problems


def describe_problems(problems: list[tuple[str, str]]) -> tuple[str, str]:
    """(field, message) of a 400 for the problems check_record found (also used by server/kinto_bulk.py)."""
    field, message = problems[0]
    if len(problems) > 1:
        message += f" (+{len(problems) - 1} more: {', '.join(f for f, _ in problems[1:6])})"
    return field, message


def _refuse(request, problems: list[tuple[str, str]]):
    field, message = describe_problems(problems)
    raise_invalid(request, name=field, description=message)


# --- wiring --------------------------------------------------------------------------------------------------
# Kinto's documented extension point for checking what is stored is overriding `process_object` in a Resource
# subclass; the record and account resources are registered by Kinto's own config.scan, so a subclass would have
# to re-register their routes. Wrapping the method once at include time gives the same hook, keeps Kinto's routes
# and runs for every route, content type and /batch sub-request (they all end in process_object).
def _patch_record_resource(admins: set[str]) -> None:
    from kinto.views.records import Record
    if getattr(Record, "_plcs_guarded", False):
        return
    original = Record.process_object

    def process_object(self, new, old=None):
        request = self.request
        body = request.validated.get("body")
        data = body.get("data") if isinstance(body, dict) else None   # `new` of a PATCH holds the stored ACL
        if not _is_admin(request, admins) and body_sets_permissions(body, data):
            raise _forbid("Record permissions are managed by the server layout (bucket and collection), "
                          "not per record.")
        schema = self._collection.get("schema")
        record = {k: v for k, v in new.items() if k not in IGNORED_FIELDS}
        try:
            # Kinto's own JSON-schema validation runs in here (jsonschema costs ~0.4 ms a record: run it once)
            result = original(self, new, old)
        except HTTPBadRequest:
            problems = check_record(schema, self.bucket_id, record)
            if problems:                  # replace Kinto's message (a regex, 60 codes, or a 1 MB value echoed)
                request.errors.clear()
                _refuse(request, problems)
            raise
        problems = _custom_problems(schema or {}, self.bucket_id, record)
        if problems:
            _refuse(request, problems)
        return result

    Record.process_object = process_object
    Record._plcs_guarded = True


def _patch_account_resource() -> None:
    try:
        from kinto.plugins.accounts.views import Account
    except ImportError:          # accounts plugin not installed: nothing to guard
        return
    if getattr(Account, "_plcs_guarded", False):
        return
    original = Account.process_object

    def process_object(self, new, old=None):
        request = self.request
        try:
            body = request.json
        except Exception:        # noqa: BLE001 — Kinto already rejected bodies it cannot parse
            body = None
        if isinstance(body, list):       # JSON-Patch would store the password unhashed (the plugin hashes only data)
            touched = [str(op.get(k, "")) for op in body if isinstance(op, dict) for k in ("path", "from")]
            if any(t == "/data" or t.startswith("/data/password") for t in touched):
                raise_invalid(request, name="password",
                              description="Change a password with PUT or PATCH {\"data\": {\"password\": …}}.")
        elif isinstance(body, dict) and isinstance(body.get("data"), dict) and "password" in body["data"]:
            user_id = new.get("id") or request.matchdict.get("id")
            problems = password_problems(body["data"]["password"], user_id=user_id)
            if problems:
                raise_invalid(request, name="password", description=" ".join(problems))
        return original(self, new, old)

    Account.process_object = process_object
    Account._plcs_guarded = True


def includeme(config) -> None:
    settings = config.get_settings()
    admins = set(aslist(settings.get("plcs_admin_principals", "account:admin")))
    _patch_record_resource(admins)
    _patch_account_resource()

    def guard(event) -> None:
        request = event.request
        if request.method not in WRITE_METHODS or request.matched_route is None:
            return
        route = request.matched_route.name
        if route not in LAYOUT_ROUTES and route != "record-plural":
            return
        # authenticated_userid first: it runs the policy that prefixed_userid/principals rely on.
        if request.authenticated_userid is None:   # anonymous: Kinto answers 401 itself
            return
        if _is_admin(request, admins):
            return
        if route in LAYOUT_ROUTES:
            raise _forbid("Only an administrator may change buckets, collections and groups.")
        if route == "record-plural" and request.method == "DELETE":
            raise _forbid("Deleting a whole collection's records is reserved to administrators.")

    config.add_subscriber(guard, ContextFound)
