"""One module per record kind with its rules: `normalize` (validate + convert input to field values),
`search_fields` (what the search index holds), `title`, and optional `warnings`.

    from services.kinds import KIND_RULES
    KIND_RULES["legal-aid"].normalize(data, existing, ctx)
"""
from services.kinds import dissemination, legal_aid, mediation, mediation_session, mediation_team, officer, person

KIND_RULES = {
    "person": person,
    "legal-aid": legal_aid,
    "mediation": mediation,
    "mediation-session": mediation_session,
    "mediation-team": mediation_team,
    "dissemination": dissemination,
    "officer": officer,
}

# Kinds that have a human-readable number, with its prefix.
NUMBER_PREFIX = {"legal-aid": "TG", "mediation": "HG"}
