"""Sync engine bookkeeping: checkpoints per bucket+collection, base versions per record, conflicts.

A frozen copy of models/sync_state.py at the time of writing (migrations never import the app's models).
"""
from peewee import AutoField, BigIntegerField, BooleanField, CharField, DateTimeField, Model
from playhouse.sqlite_ext import JSONField


def _tables(db):
    class SyncCheckpoint(Model):
        bucket = CharField()
        collection = CharField()
        since = BigIntegerField(default=0)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "sync_checkpoint"
            indexes = ((("bucket", "collection"), True),)

    class SyncBase(Model):
        kind = CharField()
        record_id = CharField(max_length=36)
        bucket = CharField()
        last_modified = BigIntegerField()
        deleted = BooleanField(default=False)
        document = JSONField(null=True)

        class Meta:
            database = db
            table_name = "sync_base"
            indexes = ((("kind", "record_id"), True),)

    class SyncConflict(Model):
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
        resolution = CharField(default="")
        created_at = DateTimeField()
        resolved_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "sync_conflict"

    return [SyncCheckpoint, SyncBase, SyncConflict]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
