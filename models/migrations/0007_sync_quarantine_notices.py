"""Sync: pulled records kept aside (quarantine) and notices for the officer (issue 14 §2, issue 16 §4).

A frozen copy of the two tables of models/sync_state.py at the time of writing (migrations never import the
app's models).
"""
from peewee import AutoField, BigIntegerField, BooleanField, CharField, DateTimeField, Model, TextField
from playhouse.sqlite_ext import JSONField


def _tables(db):
    class SyncQuarantine(Model):
        id = AutoField()
        kind = CharField()
        record_id = CharField(max_length=64)
        bucket = CharField()
        last_modified = BigIntegerField()
        reason = TextField()
        raw = JSONField(null=True)
        created_at = DateTimeField()
        released = BooleanField(default=False, index=True)

        class Meta:
            database = db
            table_name = "sync_quarantine"
            indexes = ((("kind", "record_id", "last_modified"), True),)

    class SyncNotice(Model):
        id = AutoField()
        kind = CharField()
        record_id = CharField(max_length=64, index=True)
        notice = CharField()
        detail = JSONField(null=True)
        created_at = DateTimeField()
        dismissed = BooleanField(default=False, index=True)
        dismissed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "sync_notice"

    return [SyncQuarantine, SyncNotice]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
