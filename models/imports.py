"""Staging tables of chunked imports (migration 0010). Rules live in services/records/importing.py."""
from __future__ import annotations

from peewee import CharField, CompositeKey, DateTimeField, ForeignKeyField, IntegerField, TextField

from models.base import BaseModel
from models.clock import utc_now


class ImportBatch(BaseModel):
    """One import in progress: state "checking" (rows being read and checked) or "moving" (all rows good,
    being moved into the real tables)."""
    id = CharField(primary_key=True, max_length=36)
    kind = CharField(max_length=32)
    file_name = TextField()
    actor = TextField()
    state = CharField(max_length=16)
    total = IntegerField(default=0)
    created_at = DateTimeField(default=utc_now)


class ImportRow(BaseModel):
    """One checked row of a batch, as read from the file (JSON), with its spreadsheet row number."""
    batch = ForeignKeyField(ImportBatch, on_delete="CASCADE", column_name="batch_id")
    seq = IntegerField()
    row_number = IntegerField()
    record_id = CharField(max_length=64, null=True)
    data = TextField()

    class Meta:
        primary_key = CompositeKey("batch", "seq")
        without_rowid = True
