"""Base classes: every table binds to the deferred `database`; synced records carry Kinto-style fields.

A SyncedModel row maps 1:1 onto a Kinto record: `id` is the client UUID, `last_modified` the server timestamp of
the version this device last saw (None until first synced), `deleted` a tombstone flag (soft delete).
"""
from __future__ import annotations

import secrets
import time
import uuid

from peewee import BigIntegerField, BooleanField, CharField, DateTimeField, Model

from models.clock import utc_now
from models.db import database


def uuid7(unix_ms: int | None = None, rand: int | None = None) -> str:
    """A time-ordered UUID (RFC 9562 version 7). Written by hand because Python 3.11's uuid module has no
    uuid7; time order keeps inserts at the end of the primary-key index instead of all over it."""
    ms = int(time.time() * 1000) if unix_ms is None else unix_ms
    rand = secrets.randbits(74) if rand is None else rand & ((1 << 74) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def new_uuid() -> str:
    return uuid7()


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
