"""Full-text search over folded (accent-free, lower-case) text, with SQLite FTS5.

SearchDoc is a plain table (one row per searchable record); SearchIndex is an FTS5 table whose rowid is
SearchDoc.id and whose only column holds the folded text. services/records/search.py keeps both up to date and
never puts raw user text into MATCH (see `SearchIndex.match_expression`).
"""
from __future__ import annotations

from peewee import AutoField, CharField, DateField
from playhouse.sqlite_ext import FTS5Model, SearchField

from models.base import BaseModel
from models.db import database


class SearchDoc(BaseModel):
    id = AutoField()
    kind = CharField()
    record_id = CharField(max_length=36, unique=True)
    commune_code = CharField(max_length=5, default="")
    date = DateField(null=True)
    number = CharField(null=True)
    title = CharField(default="")

    class Meta:
        indexes = ((("kind", "date"), False),)


class SearchIndex(FTS5Model):
    text = SearchField()

    class Meta:
        database = database
        table_name = "search_index"
        options = {"tokenize": "unicode61 remove_diacritics 2", "prefix": "2 3"}

    @classmethod
    def match_expression(cls, terms: list[str]) -> str:
        """AND of quoted terms, the last one as a prefix (search as you type: "dang van d" finds "Đặng Văn
        Đức"). Whole words before it are matched exactly, which keeps a query of common words fast (a prefix
        merges the lists of every word it starts). Quoting means user input never injects FTS syntax."""
        quoted = [f'"{t}"' for t in terms]
        if quoted:
            quoted[-1] += "*"
        return " ".join(quoted)
