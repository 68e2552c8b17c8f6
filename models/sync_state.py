"""Local bookkeeping of the sync engine (services/sync): where each pull stopped, the last server version of
every record (the base of three-way merges) and the conflicts waiting for a person.

    SyncCheckpoint.get_or_none(bucket="c-07090", collection="persons").since   # last applied server timestamp
    SyncBase.get_or_none(kind="person", record_id=pid).document                 # last known server version
    SyncConflict.select().where(SyncConflict.resolved == False)                 # open conflicts

Timestamps here are Kinto's server timestamps (milliseconds, monotonic per collection), never device clocks.
Tables are created by models/migrations/0003_sync_state.py and 0007_sync_quarantine_notices.py (quarantine,
notices).
"""
from __future__ import annotations

from peewee import AutoField, BigIntegerField, BooleanField, CharField, DateTimeField, TextField
from playhouse.sqlite_ext import JSONField

from models.base import BaseModel
from models.clock import utc_now


class SyncCheckpoint(BaseModel):
    """`since` of the next `_since` pull of one bucket+collection; written in the transaction that applied the page."""
    bucket = CharField()
    collection = CharField()
    since = BigIntegerField(default=0)
    updated_at = DateTimeField(default=utc_now)

    class Meta:
        indexes = ((("bucket", "collection"), True),)


class SyncBase(BaseModel):
    """The last server version of a record this device knows (canonical user document, or a tombstone)."""
    kind = CharField()
    record_id = CharField(max_length=36)
    bucket = CharField()                       # where the record lives on the server (routing is sticky)
    last_modified = BigIntegerField()
    deleted = BooleanField(default=False)
    document = JSONField(null=True)            # None for a tombstone

    class Meta:
        indexes = ((("kind", "record_id"), True),)


class SyncConflict(BaseModel):
    """A concurrent edit that could not be merged automatically.

    field conflicts: `field` names the user field; `local`, `remote`, `base` hold its three values (the record
    keeps the remote value until a person resolves it).
    delete conflicts: `field` == "deleted"; local/remote/base are the deleted flags and `document` keeps the
    edited version that lost against the delete (so that it can be restored).
    """
    id = AutoField()
    kind = CharField()
    record_id = CharField(max_length=36, index=True)
    field = CharField()
    local = JSONField(null=True)
    remote = JSONField(null=True)
    base = JSONField(null=True)
    document = JSONField(null=True)
    remote_last_modified = BigIntegerField(null=True)
    resolved = BooleanField(default=False, index=True)
    resolution = CharField(default="")         # local | remote | value
    created_at = DateTimeField(default=utc_now)
    resolved_at = DateTimeField(null=True)


class SyncQuarantine(BaseModel):
    """A pulled server version this device could not store (fails local validation or a unique constraint):
    kept aside with the reason and the raw document; the rest of the pull goes on (issue 14 §2). `released`
    once a later version of the record was stored."""
    id = AutoField()
    kind = CharField()
    record_id = CharField(max_length=64)
    bucket = CharField()
    last_modified = BigIntegerField()
    reason = TextField()
    raw = JSONField(null=True)
    created_at = DateTimeField(default=utc_now)
    released = BooleanField(default=False, index=True)

    class Meta:
        indexes = ((("kind", "record_id", "last_modified"), True),)


class SyncNotice(BaseModel):
    """Something a sync did to this device's work that the officer must hear about: "deleted_edit" (a colleague
    deleted a record whose last version is this device's edit; detail["document"] can restore it),
    "renumbered" (a local record took a new number because a pulled one had the same; detail old/new)."""
    id = AutoField()
    kind = CharField()
    record_id = CharField(max_length=64, index=True)
    notice = CharField()
    detail = JSONField(null=True)
    created_at = DateTimeField(default=utc_now)
    dismissed = BooleanField(default=False, index=True)
    dismissed_at = DateTimeField(null=True)
