"""Base classes: every table binds to the deferred `database`; synced records carry Kinto-style fields.

A SyncedModel row maps 1:1 onto a Kinto record: `id` is the client UUID, `last_modified` the server timestamp of
the version this device last saw (None until first synced), `deleted` a tombstone flag (soft delete).
"""
from __future__ import annotations

import uuid

from peewee import BigIntegerField, BooleanField, CharField, DateTimeField, Model

from models.db import database
from services.dates import utc_now


def new_uuid() -> str:
    return str(uuid.uuid4())


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SyncedModel(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_uuid)
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now, index=True)
    device_id = CharField(max_length=36, default="")
    deleted = BooleanField(default=False, index=True)
    last_modified = BigIntegerField(null=True)

    # Kind token used by the CLI/UI and the Kinto collection name; set on each subclass.
    KIND: str = ""
    COLLECTION: str = ""

    # Fields that are bookkeeping, never user content (excluded from audit diffs and merges).
    SYSTEM_FIELDS = ("created_at", "updated_at", "device_id", "last_modified")

    @classmethod
    def alive(cls):
        """Query of records that are not soft-deleted."""
        return cls.select().where(cls.deleted == False)  # noqa: E712
