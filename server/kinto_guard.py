"""Kinto plugin: only admins change the server layout, whatever write permissions the officers hold.

Officers get `write` on their commune's collections so that every officer of a commune can edit every record of
it. In Kinto, collection `write` also allows deleting the collection, replacing its JSON schema or its
permissions, and deleting all its records in one request. This plugin forbids those to everyone except the
admin principals (403, errno 121):

- any change (PUT/PATCH/DELETE/POST) to buckets, collections and groups;
- DELETE on a records list (`DELETE /buckets/b/collections/c/records`);
- setting `permissions` on a record (records inherit the collection's permissions; nobody shares one record).

Enable it in the ini (the repository root must be importable, e.g. PYTHONPATH=/path/to/repo):

    kinto.includes = kinto.plugins.accounts server.kinto_guard
    kinto.plcs_admin_principals = account:admin          # default
"""
from __future__ import annotations

from kinto.core.errors import ERRORS, http_error
from pyramid.events import ContextFound
from pyramid.httpexceptions import HTTPForbidden
from pyramid.settings import aslist

LAYOUT_ROUTES = {"bucket-plural", "bucket-object", "collection-plural", "collection-object",
                 "group-plural", "group-object"}
WRITE_METHODS = {"PUT", "PATCH", "POST", "DELETE"}


def _forbid(message: str):
    return http_error(HTTPForbidden(), errno=ERRORS.FORBIDDEN, message=message)


def _sets_permissions(request) -> bool:
    try:
        body = request.json_body
    except Exception:  # not JSON (e.g. JSON-Patch is still JSON; anything else carries no permissions)
        return False
    return isinstance(body, dict) and bool(body.get("permissions"))


def includeme(config) -> None:
    settings = config.get_settings()
    admins = set(aslist(settings.get("plcs_admin_principals", "account:admin")))

    def guard(event) -> None:
        request = event.request
        if request.method not in WRITE_METHODS or request.matched_route is None:
            return
        route = request.matched_route.name

        if route not in LAYOUT_ROUTES and route not in ("record-plural", "record-object"):
            return
        # authenticated_userid first: it runs the policy that prefixed_userid/principals rely on.
        if request.authenticated_userid is None:   # anonymous: Kinto answers 401 itself
            return
        if admins & set(request.prefixed_principals):
            return
        if route in LAYOUT_ROUTES:
            raise _forbid("Only an administrator may change buckets, collections and groups.")
        if route == "record-plural" and request.method == "DELETE":
            raise _forbid("Deleting a whole collection's records is reserved to administrators.")
        if route == "record-object" and request.method in ("PUT", "PATCH") and _sets_permissions(request):
            raise _forbid("Record permissions are managed by the server layout, not per record.")

    config.add_subscriber(guard, ContextFound)
