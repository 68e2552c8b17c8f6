"""Peewee models. `ALL_MODELS` is what the schema holds (created by models/migrations)."""
from models.records import (  # noqa: F401
    MODEL_BY_COLLECTION,
    MODEL_BY_KIND,
    SYNCED_MODELS,
    Assessment,
    AuditEntry,
    DisseminationEvent,
    LegalAidCase,
    MediationCase,
    MediationSession,
    MediationTeam,
    Officer,
    Outbox,
    Person,
    Sequence,
    Setting,
    Village,
)
from models.search import SearchDoc, SearchIndex  # noqa: F401

ALL_MODELS = SYNCED_MODELS + [Village, Outbox, Setting, Sequence, SearchDoc, SearchIndex]
