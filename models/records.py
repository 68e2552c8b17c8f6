"""The records of commune legal work. Categories are codes from assets/catalogs (see services/catalogs.py).

Kinds: persons, legal-aid cases, mediation teams/cases/sessions, dissemination events, assessments, audit entries.
Lists (team members, mediators, party ids, target groups, status history) are JSON so that a record travels to
the sync server as one document and merges field by field.
"""
from __future__ import annotations

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField
from playhouse.sqlite_ext import JSONField

from models.base import BaseModel, SyncedModel
from models.clock import utc_now


class Officer(SyncedModel):
    KIND, COLLECTION = "officer", "officers"
    full_name = CharField()
    username = CharField(default="", index=True)
    role = CharField(default="officer")          # officer | centre_staff | supervisor | admin
    title = CharField(default="")                # e.g. "Công chức Tư pháp - Hộ tịch"
    province_code = CharField(max_length=2, default="")
    communes = JSONField(default=list)           # 5-digit commune codes this officer works in
    phone = CharField(default="")


class Person(SyncedModel):
    KIND, COLLECTION = "person", "persons"
    full_name = CharField()
    gender = CharField(default="")               # nam | nu | khac
    birth_year = IntegerField(null=True)
    birth_date = DateField(null=True)            # optional full date of birth (Mẫu 02-TP-TGPL); year == birth_year
    ethnicity = CharField(default="")            # "01".."54"
    id_number = CharField(default="", index=True)  # CCCD, 12 digits
    phone = CharField(default="")
    commune_code = CharField(max_length=5, default="", index=True)
    village = CharField(default="")
    address = CharField(default="")
    notes = TextField(default="")


class LegalAidCase(SyncedModel):
    KIND, COLLECTION = "legal-aid", "legal_aid_cases"
    number = CharField(unique=True)
    received_date = DateField(index=True)
    commune_code = CharField(max_length=5, index=True)
    historic_commune_code = CharField(max_length=5, default="")   # pre-reform unit on its date (admin_units)
    requester = ForeignKeyField(Person, backref="requests", on_delete="RESTRICT")
    beneficiary = ForeignKeyField(Person, backref="aided", null=True, on_delete="RESTRICT")
    beneficiary_category = CharField()
    legal_field = CharField()
    aid_form = CharField()
    request_content = TextField(default="")
    provider = CharField(default="")             # assigned person (trợ giúp viên, luật sư, cộng tác viên)
    referred_to = CharField(default="")          # Trung tâm TGPL / chi nhánh
    status = CharField(default="received", index=True)
    status_date = DateField(null=True)
    status_reason = TextField(default="")
    status_history = JSONField(default=list)     # [{"status", "date", "reason", "by"}]
    outcome = CharField(default="")              # success | not_success | "" (litigation cases only)
    closed_date = DateField(null=True)
    summary = TextField(default="")

    class Meta:
        indexes = ((("commune_code", "received_date"), False), (("deleted", "received_date"), False))


class MediationTeam(SyncedModel):
    KIND, COLLECTION = "mediation-team", "mediation_teams"
    name = CharField()
    commune_code = CharField(max_length=5, index=True)
    village = CharField(default="")
    leader = CharField(default="")
    members = JSONField(default=list)            # [{"name", "gender", "ethnicity", "role"}]
    recognised_date = DateField(null=True)


class MediationCase(SyncedModel):
    KIND, COLLECTION = "mediation", "mediation_cases"
    number = CharField(unique=True)
    received_date = DateField(index=True)
    commune_code = CharField(max_length=5, index=True)
    historic_commune_code = CharField(max_length=5, default="")   # pre-reform unit on its date (admin_units)
    village = CharField(default="")
    team = ForeignKeyField(MediationTeam, backref="cases", null=True, on_delete="SET NULL")
    basis = CharField(default="")                # căn cứ: request, witnessed, assigned, proposed
    mediators = JSONField(default=list)          # names
    assigned_date = DateField(null=True)         # mediators assigned (Luật HGCS Điều 20.2: start within 3 days)
    parties = JSONField(default=list)            # Person ids, 2 or more
    invited = JSONField(default=list)            # invited third parties (Điều 19): names, "Name (role)"
    dispute_field = CharField()
    summary = TextField(default="")
    outcome = CharField(default="in_progress", index=True)
    agreement = TextField(default="")            # Điều 24 đ) thỏa thuận đạt được và giải pháp thực hiện
    rights_obligations = TextField(default="")   # Điều 24 e) quyền và nghĩa vụ của các bên
    implementation = TextField(default="")       # Điều 24 g) phương thức thực hiện thỏa thuận
    implementation_deadline = DateField(null=True)  # Điều 24 g) thời hạn thực hiện thỏa thuận
    referred_to = CharField(default="")
    closed_date = DateField(null=True)

    class Meta:
        indexes = ((("commune_code", "received_date"), False), (("deleted", "received_date"), False))


class MediationSession(SyncedModel):
    KIND, COLLECTION = "mediation-session", "mediation_sessions"
    case = ForeignKeyField(MediationCase, backref="sessions", on_delete="CASCADE")
    date = DateField()
    place = CharField(default="")
    attendees = TextField(default="")
    content = TextField(default="")
    result = TextField(default="")


class DisseminationEvent(SyncedModel):
    KIND, COLLECTION = "dissemination", "dissemination_events"
    date = DateField(index=True)
    commune_code = CharField(max_length=5, index=True)
    historic_commune_code = CharField(max_length=5, default="")   # pre-reform unit on its date (admin_units)
    village = CharField(default="")
    form = CharField()
    topic = CharField()
    laws = TextField(default="")
    target_groups = JSONField(default=list)      # catalog codes
    language = CharField(default="vi")           # "vi" or an ethnic-group code ("09" = Tiếng Dao)
    participants = IntegerField(default=0)
    participants_women = IntegerField(default=0)
    participants_ethnic_minority = IntegerField(default=0)
    materials_distributed = IntegerField(default=0)
    presenter = CharField(default="")
    notes = TextField(default="")
    # Optional effectiveness feedback (dissemination reach feature)
    feedback_respondents = IntegerField(null=True)
    feedback_useful = IntegerField(null=True)
    questions_asked = IntegerField(null=True)
    followup_requests = IntegerField(null=True)

    class Meta:
        indexes = ((("commune_code", "date"), False), (("deleted", "date"), False))


class Assessment(SyncedModel):
    KIND, COLLECTION = "assessment", "assessments"
    commune_code = CharField(max_length=5, index=True)
    historic_commune_code = CharField(max_length=5, default="")   # the old unit assessed (years ≤ 2024)
    year = IntegerField()
    framework_id = CharField()
    values = JSONField(default=dict)             # indicator id -> {"value", "evidence"}
    result = JSONField(default=dict)             # last computed result

    class Meta:
        indexes = ((("commune_code", "year"), False),)


class AuditEntry(SyncedModel):
    """Append-only: who changed what, when, with field-level before/after."""
    KIND, COLLECTION = "audit", "audit_entries"
    record_kind = CharField()
    record_id = CharField(max_length=36, index=True)
    action = CharField()                         # create | update | delete | restore | export | print
    officer = CharField(default="")
    at = DateTimeField(default=utc_now)
    changes = JSONField(default=dict)            # field -> [before, after]


class Village(BaseModel):
    """Per-commune list of thôn/bản/khu that grows from the records and can be maintained by hand."""
    commune_code = CharField(max_length=5)
    name = CharField()
    name_folded = CharField()
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("commune_code", "name_folded"), True),)


class Outbox(BaseModel):
    """Local changes not yet acknowledged by the server: one row per changed record."""
    kind = CharField()
    record_id = CharField(max_length=36)
    queued_at = DateTimeField(default=utc_now)

    class Meta:
        indexes = ((("kind", "record_id"), True),)


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = JSONField(null=True)


class Sequence(BaseModel):
    """Counters for human-readable numbers: key = kind|commune|year."""
    key = CharField(primary_key=True)
    value = IntegerField(default=0)


SYNCED_MODELS = [Officer, Person, MediationTeam, LegalAidCase, MediationCase, MediationSession,
                 DisseminationEvent, Assessment, AuditEntry]
MODEL_BY_KIND = {m.KIND: m for m in SYNCED_MODELS}
MODEL_BY_COLLECTION = {m.COLLECTION: m for m in SYNCED_MODELS}
