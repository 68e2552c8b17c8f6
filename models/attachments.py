"""Files attached to records (migration 0009). The file bytes live in <data folder>/attachments/, content-addressed
and encrypted (services/attachments); this table holds what is known about each attachment. Rules live in
services/attachments."""
from __future__ import annotations

from peewee import BooleanField, CharField, IntegerField, TextField

from models.base import SyncedModel


class Attachment(SyncedModel):
    """One file attached to one record. Several rows may share a sha256 (the file is stored once). Not in
    SYNCED_MODELS: attachments do not travel to the server yet (see README, Attachments)."""
    KIND, COLLECTION = "attachment", "attachments"
    record_kind = CharField(max_length=32)
    record_id = CharField(max_length=36)
    sha256 = CharField(max_length=64, index=True)
    size = IntegerField()
    mime = CharField(max_length=64)
    file_name = TextField(default="")            # the name the officer chose (shown, never used as a path)
    type = CharField(max_length=32)              # assets/catalogs/attachment_types.json
    caption = TextField(default="")
    document = CharField(max_length=48, default="")   # printed document this is the signed copy of (doc token)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    has_thumbnail = BooleanField(default=False)
    active_content = TextField(default="")       # PDF features found (JavaScript, OpenAction…): stored inertly
    added_by = TextField(default="")

    class Meta:
        table_name = "attachment"
        indexes = ((("record_kind", "record_id", "deleted"), False),)
