"""Optional effectiveness feedback per dissemination event (respondents, useful, questions, follow-ups)."""
from peewee import IntegerField

FIELDS = ("feedback_respondents", "feedback_useful", "questions_asked", "followup_requests")


def up(migrator, db):
    migrator.migrate(*[migrator.add_column("dissemination_event", name, IntegerField(null=True))
                       for name in FIELDS])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column("dissemination_event", name) for name in FIELDS])
