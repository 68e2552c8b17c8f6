"""Pre-reform units: records dated before 01/07/2025 may name the commune-level unit that existed on their date
(`historic_commune_code`, a code of assets/admin_units/legacy_units_2025.csv), while `commune_code` stays the
post-reform commune they roll up into. Assessments of years ≤ 2024 name the old unit they assess the same way.
Empty for every existing row (no old unit recorded)."""
from peewee import CharField

TABLES = ("legal_aid_case", "mediation_case", "dissemination_event", "assessment")


def up(migrator, db):
    migrator.migrate(*[migrator.add_column(table, "historic_commune_code", CharField(max_length=5, default=""))
                       for table in TABLES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column(table, "historic_commune_code") for table in TABLES])
