"""Records as the law writes them: a person's optional full date of birth (Mẫu 02-TP-TGPL), and the mediation
case's invited third parties (Luật HGCS 2013 Điều 19), parties' rights and obligations (Điều 24 e) and deadline
for carrying out the agreement (Điều 24 g). Existing rows get empty values; nothing else changes."""
from peewee import DateField, TextField
from playhouse.sqlite_ext import JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("person", "birth_date", DateField(null=True)),
        migrator.add_column("mediation_case", "invited", JSONField(default=list)),
        migrator.add_column("mediation_case", "rights_obligations", TextField(default="")),
        migrator.add_column("mediation_case", "implementation_deadline", DateField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("person", "birth_date"),
        migrator.drop_column("mediation_case", "invited"),
        migrator.drop_column("mediation_case", "rights_obligations"),
        migrator.drop_column("mediation_case", "implementation_deadline"),
    )
