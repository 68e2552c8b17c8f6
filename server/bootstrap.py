"""Server layout for sync: accounts, one bucket per commune, collections with JSON schemas, groups, permissions.

    python -m server.bootstrap http://127.0.0.1:8888/v1 --admin-password PW --province 22 [--demo]
    python -m server.bootstrap URL --admin-password PW --province 22 --communes 07090,07093

    from server.bootstrap import ServerAdmin
    admin = ServerAdmin("http://127.0.0.1:8888/v1", ("admin", "PW"))
    admin.bootstrap("22")                        # every commune of province 22; idempotent
    admin.ensure_account("officer-a", "secret")  # create or reset the password (admin only)
    admin.assign_officer("officer-a", ["07090"])
    admin.add_centre_staff("tgpl-1", "22"); admin.add_supervisor("sup-22", "22")

Layout (written down in server/README.md):
  /buckets/province-<pp>              read: supervisors, centre_staff of the province
      groups/supervisors, groups/centre_staff
      collections/communes            read: every authenticated account; one record per commune (id = code)
  /buckets/c-<ccccc>                  read: its officers group + the province's supervisors
      groups/officers                 the accounts assigned to this commune
      collections/<SYNCED_MODELS COLLECTION>   write: officers (every officer edits every record of the commune)
          legal_aid_cases             + read/write: province centre_staff (cases referred to the centre)
          persons                     + read and record:create: province centre_staff
          audit_entries               record:create (not write): officers and centre_staff; an author may
                                      still edit its own entries, nobody edits another's (append-only for others)
The plugin server/kinto_guard.py stops non-admins changing buckets, collections, groups or record permissions.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests

from server.password_policy import password_problems
from server.schema_rules import property_schema

LAYOUT_VERSION = 2   # 2: schemas refined by the kind rules (server/schema_rules.py)
ACCOUNT_ID = re.compile(r"^[a-zA-Z0-9][+.@a-zA-Z0-9_-]*$")   # Kinto accounts plugin's user id pattern
CODE_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$")
SYSTEM_PROPERTIES = {"created_at", "updated_at", "device_id", "deleted"}   # optional bookkeeping fields
SKIPPED = {"id", "last_modified"}                                           # Kinto's own fields


class BootstrapError(RuntimeError):
    """The server refused a request of the bootstrap (status and body in the message)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


# --- names ----------------------------------------------------------------------------------------------------
def commune_bucket(code: str) -> str:
    return f"c-{code}"


def province_bucket(province: str) -> str:
    return f"province-{province}"


def officers_group(code: str) -> str:
    return f"/buckets/{commune_bucket(code)}/groups/officers"


def supervisors_group(province: str) -> str:
    return f"/buckets/{province_bucket(province)}/groups/supervisors"


def centre_staff_group(province: str) -> str:
    return f"/buckets/{province_bucket(province)}/groups/centre_staff"


def normalise_commune(code) -> str:
    s = str(getattr(code, "value", code)).strip()
    return f"{int(s):05d}" if s.isdigit() else s


def normalise_province(code) -> str:
    s = str(getattr(code, "value", code)).strip()
    return f"{int(s):02d}" if s.isdigit() else s


# --- administrative units ------------------------------------------------------------------------------------
def province_communes(province) -> list[tuple[str, str]]:
    """(code, name) of every commune of a province: services.admin_units if present, else vietnam-provinces."""
    province = normalise_province(province)
    try:
        from services import admin_units
    except ImportError:
        admin_units = None
    if admin_units is not None:
        return [(normalise_commune(c.code), c.name) for c in admin_units.communes(province)]
    from vietnam_provinces import Ward
    return [(normalise_commune(w.code), w.name) for w in Ward.iter_all()
            if normalise_province(w.province_code) == province]


def commune_info(code) -> tuple[str, str] | None:
    """(province code, commune name) of a commune code, or None when unknown."""
    code = normalise_commune(code)
    try:
        from services import admin_units
    except ImportError:
        admin_units = None
    if admin_units is not None:
        c = admin_units.commune(code)
        return (normalise_province(c.province_code), c.name) if c else None
    if not code.isdigit():
        return None
    from vietnam_provinces import Ward
    try:
        w = Ward.from_code(int(code))
    except Exception:
        return None
    return (normalise_province(w.province_code), w.name) if w else None


# --- JSON schemas from the peewee models ---------------------------------------------------------------------
def _field_schema(field) -> dict:
    from peewee import (
        BigIntegerField,
        BooleanField,
        CharField,
        DateField,
        DateTimeField,
        DecimalField,
        FloatField,
        ForeignKeyField,
        IntegerField,
        TextField,
    )
    if type(field).__name__ in ("JSONField", "BinaryJSONField"):   # before TextField: it subclasses it
        default = field.default() if callable(field.default) else field.default
        schema = {"type": "array"} if isinstance(default, list) else {"type": "object"} \
            if isinstance(default, dict) else {}
    elif isinstance(field, ForeignKeyField):
        schema = {"type": "string"}
    elif isinstance(field, BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, (IntegerField, BigIntegerField)):
        schema = {"type": "integer"}
    elif isinstance(field, (FloatField, DecimalField)):
        schema = {"type": "number"}
    elif isinstance(field, DateTimeField):
        schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"}
    elif isinstance(field, DateField):
        schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"}
    elif isinstance(field, (CharField, TextField)):
        schema = {"type": "string"}
        max_length = getattr(field, "max_length", None)
        if isinstance(field, CharField) and max_length and max_length != 255:
            schema["maxLength"] = max_length
    else:
        schema = {}
    if field.null and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def collection_schema(model) -> dict:
    """JSON schema of one synced model: user fields typed, required ones required, extra fields allowed.

    A foreign key may travel as `requester` or `requester_id`; either satisfies the requirement.
    """
    from peewee import ForeignKeyField
    properties, required, any_of = {}, [], []
    for field in model._meta.sorted_fields:
        name = field.name
        if name in SKIPPED:
            continue
        schema = property_schema(model, field, _field_schema(field))
        properties[name] = schema
        is_required = (not field.null and field.default is None and name not in SYSTEM_PROPERTIES
                       and not field.primary_key)
        if isinstance(field, ForeignKeyField):
            properties[field.column_name] = schema
            if is_required:
                any_of.append({"anyOf": [{"required": [name]}, {"required": [field.column_name]}]})
        elif is_required:
            required.append(name)
    schema = {"type": "object", "title": model.__name__,
              "description": f"Record kind '{model.KIND}' (generated from models.records.{model.__name__}).",
              "properties": properties, "additionalProperties": True}
    if required:
        schema["required"] = required
    if any_of:
        schema["allOf"] = any_of
    return schema


def synced_models():
    from models.records import SYNCED_MODELS
    return list(SYNCED_MODELS)


def collection_permissions(collection: str, code: str, province: str) -> dict:
    officers, staff = officers_group(code), centre_staff_group(province)
    if collection == "audit_entries":
        return {"record:create": [officers, staff]}
    if collection == "legal_aid_cases":
        return {"write": [officers, staff]}
    if collection == "persons":
        return {"write": [officers], "read": [staff], "record:create": [staff]}
    return {"write": [officers]}


# --- the admin client ----------------------------------------------------------------------------------------
class ServerAdmin:
    """Admin operations on a Kinto server (every call idempotent). `auth` is (user, password) of the admin."""

    def __init__(self, url: str, auth: tuple[str, str], timeout: float = 60):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.auth = tuple(auth)
        self.timeout = timeout
        host = urlsplit(self.url).hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            self.session.trust_env = False   # never send loopback traffic through an HTTP proxy
        self._batch_limit: int | None = None
        self._schemas: dict | None = None

    # --- HTTP helpers ---------------------------------------------------------------------------------------
    def request(self, method: str, path: str, expect=(200, 201), **kw) -> requests.Response:
        for attempt in range(6):
            r = self.session.request(method, self.url + path, timeout=self.timeout, **kw)
            if r.status_code in (409, 503) and attempt < 5:
                time.sleep(float(r.headers.get("Retry-After", 0.2 * (attempt + 1))))
                continue
            break
        if expect is not None and r.status_code not in expect:
            raise BootstrapError(f"{method} {path} -> {r.status_code}: {r.text[:500]}", r.status_code)
        return r

    @property
    def batch_limit(self) -> int:
        if self._batch_limit is None:
            info = self.request("GET", "/").json()
            self._batch_limit = int(info.get("settings", {}).get("batch_max_requests") or 25)
        return self._batch_limit

    def batch(self, subrequests: list[dict]) -> list[dict]:
        """Run sub-requests in batches within the server's limit; each may carry "expect" (statuses)."""
        out = []
        for i in range(0, len(subrequests), self.batch_limit):
            chunk = subrequests[i:i + self.batch_limit]
            body = {"requests": [{k: v for k, v in s.items() if k != "expect"} for s in chunk]}
            responses = self.request("POST", "/batch", json=body, expect=(200,)).json()["responses"]
            for sub, resp in zip(chunk, responses, strict=True):   # Kinto answers every sub-request
                if resp["status"] == 409:   # the whole batch was rolled back: run it again (idempotent)
                    return out + self.batch(subrequests[i:])
                if resp["status"] not in sub.get("expect", (200, 201)):
                    raise BootstrapError(f"{sub['method']} {sub['path']} -> {resp['status']}: "
                                         f"{json.dumps(resp.get('body'))[:500]}", resp["status"])
            out.extend(responses)
        return out

    def schemas(self) -> dict[str, dict]:
        if self._schemas is None:
            self._schemas = {m.COLLECTION: collection_schema(m) for m in synced_models()}
        return self._schemas

    # --- accounts --------------------------------------------------------------------------------------------
    def ensure_account(self, user: str, password: str) -> None:
        """Create the account, or reset its password (only the admin may; see kinto.ini)."""
        if not ACCOUNT_ID.match(user):
            raise ValueError(f"invalid account name {user!r} (letters, digits, . @ + _ -)")
        if not password or len(password.encode("utf-8")) > 72:
            raise ValueError("password must be 1 to 72 bytes (bcrypt limit)")
        problems = password_problems(password, user_id=user)   # the server refuses these too (kinto_guard)
        if problems:
            raise ValueError(f"password of {user}: " + " ".join(problems))
        self.request("PUT", f"/accounts/{user}", json={"data": {"password": password}})

    def delete_account(self, user: str) -> None:
        self.request("DELETE", f"/accounts/{user}", expect=(200, 404))

    # --- province ---------------------------------------------------------------------------------------------
    def ensure_province_bucket(self, province, name: str = "") -> None:
        province = normalise_province(province)
        if not CODE_ID.match(province):
            raise ValueError(f"invalid province code {province!r}")
        bid = province_bucket(province)
        if not name:
            try:
                from vietnam_provinces import Province
                name = Province.from_code(int(province)).name if province.isdigit() else ""
            except Exception:
                name = ""
        self.batch([
            {"method": "PUT", "path": f"/buckets/{bid}",
             "body": {"data": {"kind": "province", "province_code": province, "name": name},
                      "permissions": {"read": [supervisors_group(province), centre_staff_group(province)]}}},
            {"method": "PUT", "path": f"/buckets/{bid}/groups/supervisors", "headers": {"If-None-Match": "*"},
             "body": {"data": {"members": []}}, "expect": (201, 412)},
            {"method": "PUT", "path": f"/buckets/{bid}/groups/centre_staff", "headers": {"If-None-Match": "*"},
             "body": {"data": {"members": []}}, "expect": (201, 412)},
            {"method": "PUT", "path": f"/buckets/{bid}/collections/communes",
             "body": {"data": {"description": "Communes of the province (record id = commune code)"},
                      "permissions": {"read": ["system.Authenticated"]}}},
        ])

    # --- communes ---------------------------------------------------------------------------------------------
    def _commune_layout(self, code: str, province: str, name: str) -> tuple[list[dict], str]:
        bid = commune_bucket(code)
        bucket = {"data": {"kind": "commune", "commune_code": code, "province_code": province, "name": name},
                  "permissions": {"read": [officers_group(code), supervisors_group(province)]}}
        collections = {coll: {"data": {"schema": schema, "kind": coll},
                              "permissions": collection_permissions(coll, code, province)}
                       for coll, schema in self.schemas().items()}
        digest = hashlib.sha256(json.dumps([LAYOUT_VERSION, bucket, collections], sort_keys=True)
                                .encode()).hexdigest()[:16]
        subs = [{"method": "PUT", "path": f"/buckets/{bid}", "body": bucket},
                {"method": "PUT", "path": f"/buckets/{bid}/groups/officers", "headers": {"If-None-Match": "*"},
                 "body": {"data": {"members": []}}, "expect": (201, 412)}]
        subs += [{"method": "PUT", "path": f"/buckets/{bid}/collections/{coll}", "body": body}
                 for coll, body in collections.items()]
        return subs, digest

    def existing_buckets(self) -> dict[str, dict]:
        """Every bucket the admin can read: id -> data (follows pagination)."""
        out, url = {}, self.url + "/buckets?_limit=1000"
        while url:
            r = self.session.get(url, timeout=self.timeout)
            if r.status_code != 200:
                raise BootstrapError(f"GET /buckets -> {r.status_code}: {r.text[:300]}")
            out.update({b["id"]: b for b in r.json()["data"]})
            url = r.headers.get("Next-Page")
        return out

    def ensure_communes(self, communes: Iterable, province=None, force: bool = False) -> int:
        """Create or update commune buckets; `communes` are codes or (code, name). Returns how many changed.

        A bucket whose stored layout fingerprint matches the wanted layout is left alone (fast re-runs); the
        `officers` group is created once and never emptied by a re-run.
        """
        wanted = []
        for item in communes:
            code, name = (item if isinstance(item, tuple) else (item, ""))
            code = normalise_commune(code)
            if not CODE_ID.match(code):
                raise ValueError(f"invalid commune code {code!r}")
            prov = normalise_province(province) if province is not None else None
            info = commune_info(code) if (prov is None or not name) else None
            if prov is None:
                if info is None:
                    raise ValueError(f"unknown commune {code}: give its province")
                prov = info[0]
            wanted.append((code, prov, name or (info[1] if info else "")))
        for prov in sorted({p for _, p, _ in wanted}):
            self.ensure_province_bucket(prov)
        existing = {} if force else self.existing_buckets()
        subs, marks, directory = [], [], []
        for code, prov, name in wanted:
            layout, digest = self._commune_layout(code, prov, name)
            if existing.get(commune_bucket(code), {}).get("layout") == digest:
                continue
            subs += layout
            marks.append({"method": "PATCH", "path": f"/buckets/{commune_bucket(code)}",
                          "body": {"data": {"layout": digest}}})
            directory.append({"method": "PUT",
                              "path": f"/buckets/{province_bucket(prov)}/collections/communes/records/{code}",
                              "body": {"data": {"code": code, "name": name, "bucket": commune_bucket(code)}}})
        if subs:
            self.batch(subs)
            self.batch(directory + marks)   # the fingerprint is written only once everything else succeeded
        return len(marks)

    def ensure_commune_bucket(self, code, province=None, name: str = "") -> bool:
        """One commune's bucket, officers group and collections. True when something was (re)written."""
        return self.ensure_communes([(code, name)], province=province) > 0

    def bootstrap(self, province=None, communes: Iterable | None = None, force: bool = False) -> int:
        """The whole layout for `communes` (default: every commune of `province`)."""
        if communes is None:
            if province is None:
                raise ValueError("give a province or a list of communes")
            communes = province_communes(province)
            if not communes:
                raise ValueError(f"no communes known for province {province}")
        return self.ensure_communes(communes, province=province, force=force)

    # --- group membership ------------------------------------------------------------------------------------
    def _update_members(self, group_path: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> bool:
        add, remove = list(add), set(remove)
        for _ in range(10):
            r = self.request("GET", group_path, expect=(200, 404))
            if r.status_code == 404:
                raise KeyError(group_path)
            members = r.json()["data"].get("members", [])
            new = [m for m in members if m not in remove] + [m for m in add if m not in members]
            if new == members:
                return False
            r = self.request("PATCH", group_path, json={"data": {"members": new}},
                             headers={"If-Match": r.headers["ETag"]}, expect=(200, 412))
            if r.status_code == 200:
                return True
        raise BootstrapError(f"{group_path}: members changed concurrently too often")

    def assign_officer(self, user: str, communes: Iterable, province=None) -> None:
        """Add the account to the officers group of each commune (creating a missing commune bucket)."""
        for code in communes:
            code = normalise_commune(code)
            try:
                self._update_members(f"/buckets/{commune_bucket(code)}/groups/officers", add=[f"account:{user}"])
            except KeyError:
                self.ensure_commune_bucket(code, province=province)
                self._update_members(f"/buckets/{commune_bucket(code)}/groups/officers", add=[f"account:{user}"])

    def unassign_officer(self, user: str, communes: Iterable) -> None:
        for code in communes:
            with contextlib.suppress(KeyError):
                self._update_members(f"/buckets/{commune_bucket(normalise_commune(code))}/groups/officers",
                                     remove=[f"account:{user}"])

    def _add_to_province_group(self, user: str, province, group: str) -> None:
        province = normalise_province(province)
        path = f"/buckets/{province_bucket(province)}/groups/{group}"
        try:
            self._update_members(path, add=[f"account:{user}"])
        except KeyError:
            self.ensure_province_bucket(province)
            self._update_members(path, add=[f"account:{user}"])

    def add_centre_staff(self, user: str, province) -> None:
        """Legal-aid centre staff: read every commune's legal_aid_cases and persons, write legal_aid_cases."""
        self._add_to_province_group(user, province, "centre_staff")

    def add_supervisor(self, user: str, province) -> None:
        """Provincial supervisor: read every commune bucket of the province, write nothing."""
        self._add_to_province_group(user, province, "supervisors")


# --- maintenance: records carrying their own permissions -----------------------------------------------------
RECORD_OBJECTS = "/buckets/%/collections/%/records/%"
# Kinto itself gives the author of each write `write` on that record (explicit_permissions); every other
# record-level entry (any `read`, any non-account principal such as system.Everyone, system.Authenticated or a
# group) was set by a client — before server/kinto_guard.py refused it — and is foreign to the layout.
FOREIGN_RECORD_ACES = ("object_id LIKE %(objects)s AND (permission <> 'write' OR principal NOT LIKE 'account:%%')")


def strip_record_permissions(database_url: str, dry_run: bool = False) -> dict:
    """Find records that carry their own permissions in Kinto's permission database and remove those entries.

    Returns {"records": how many records had some, "entries": how many entries, "examples": up to 20
    "object_id permission principal" lines}. `dry_run` only counts. Idempotent (a second run finds 0).
    Works on the PostgreSQL permission backend directly (`kinto.permission_url`): Kinto's HTTP API does not
    show a record's permissions to the admin unless the admin is among its writers.
    """
    import psycopg2
    params = {"objects": RECORD_OBJECTS}
    conn = psycopg2.connect(database_url)
    try:
        with conn, conn.cursor() as cur:   # one statement: what is reported is exactly what was deleted
            cur.execute(f"{'SELECT object_id, permission, principal' if dry_run else 'DELETE'} "
                        f"FROM access_control_entries WHERE {FOREIGN_RECORD_ACES}"
                        f"{'' if dry_run else ' RETURNING object_id, permission, principal'}", params)
            rows = sorted(cur.fetchall())
    finally:
        conn.close()
    return {"records": len({r[0] for r in rows}), "entries": len(rows),
            "examples": [" ".join(r) for r in rows[:20]]}


# --- CLI -----------------------------------------------------------------------------------------------------
def _t(key: str, **kw) -> str:
    try:
        from services.i18n import t
        vi, en = t(key, "vi", **kw), t(key, "en", **kw)
        return vi if vi == en else f"{vi} / {en}"
    except Exception:
        return key


def demo_accounts(admin: ServerAdmin, province: str, communes: list[str], password: str) -> list[str]:
    """Demo officers (2 communes, 1 commune), a centre staff member and a supervisor; all with `password`."""
    made = []
    plan = [("demo-officer", communes[:2]), ("demo-officer-2", communes[2:3] or communes[:1])]
    for user, assigned in plan:
        admin.ensure_account(user, password)
        admin.assign_officer(user, assigned, province=province)
        made.append(f"{user}: {', '.join(assigned)}")
    admin.ensure_account("demo-centre", password)
    admin.add_centre_staff("demo-centre", province)
    admin.ensure_account("demo-supervisor", password)
    admin.add_supervisor("demo-supervisor", province)
    return made + [f"demo-centre: centre_staff {province}", f"demo-supervisor: supervisors {province}"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m server.bootstrap", description=__doc__.split("\n")[0])
    p.add_argument("url", nargs="?", help="Kinto root URL, e.g. http://127.0.0.1:8888/v1")
    p.add_argument("--admin-user", default="admin")
    p.add_argument("--admin-password", default=os.environ.get("PLCS_ADMIN_PASSWORD"),
                   help="admin password (default: $PLCS_ADMIN_PASSWORD)")
    p.add_argument("--province", default=os.environ.get("PLCS_PROVINCE"),
                   help="province code; without --communes every commune of it is set up")
    p.add_argument("--communes", help="comma-separated commune codes (default: every commune of --province)")
    p.add_argument("--force", action="store_true", help="rewrite every bucket even when up to date")
    p.add_argument("--demo", action="store_true", help="also create demo accounts")
    p.add_argument("--demo-password", default=os.environ.get("PLCS_DEMO_PASSWORD", "demo-plcs-2026"))
    p.add_argument("--strip-record-permissions", action="store_true",
                   help="maintenance: find records carrying their own permissions, strip them, report how many "
                        "(needs --database-url; no URL or admin password)")
    p.add_argument("--database-url", default=os.environ.get("KINTO_PERMISSION_URL"),
                   help="Kinto's permission database, postgresql://… (default: $KINTO_PERMISSION_URL)")
    p.add_argument("--dry-run", action="store_true", help="with --strip-record-permissions: only report")
    args = p.parse_args(argv)
    if args.strip_record_permissions:
        return _strip_command(p, args)
    if not args.url:
        p.error("the server URL is required")
    if not args.admin_password:
        p.error("--admin-password (or PLCS_ADMIN_PASSWORD) is required")
    if not args.province and not args.communes:
        p.error("give --province and/or --communes")
    admin = ServerAdmin(args.url, (args.admin_user, args.admin_password))
    try:
        communes = [c.strip() for c in args.communes.split(",") if c.strip()] if args.communes else None
        changed = admin.bootstrap(args.province, communes, force=args.force)
        codes = [normalise_commune(c) for c in communes] if communes else \
            [c for c, _ in province_communes(args.province)]
        print(_t("server.bootstrap.done", communes=len(codes), changed=changed))
        if args.demo:
            province = normalise_province(args.province or commune_info(codes[0])[0])
            for line in demo_accounts(admin, province, codes, args.demo_password):
                print("  " + line)
            print(_t("server.bootstrap.demo_password", password=args.demo_password))
    except requests.ConnectionError:
        print(_t("server.bootstrap.unreachable", url=args.url), file=sys.stderr)
        return 5
    except BootstrapError as e:
        if e.status == 401:
            print(_t("server.bootstrap.wrong_admin_password"), file=sys.stderr)
            return 4
        print(f"{_t('server.bootstrap.refused')}: {e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    return 0


def _strip_command(p: argparse.ArgumentParser, args) -> int:
    if not args.database_url:
        p.error("--database-url (or KINTO_PERMISSION_URL) is required with --strip-record-permissions")
    import psycopg2
    try:
        report = strip_record_permissions(args.database_url, dry_run=args.dry_run)
    except psycopg2.Error as e:
        print(f"{_t('server.maintenance.database_unreachable')}: {type(e).__name__}: {str(e).strip()[:300]}",
              file=sys.stderr)
        return 5
    key = "server.maintenance.record_permissions_found" if args.dry_run else \
        "server.maintenance.record_permissions_stripped"
    print(_t(key, records=report["records"], entries=report["entries"]))
    for line in report["examples"]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
