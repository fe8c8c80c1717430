"""Names for the surveys' hand-written SQL (the e-poll's intake, the filing of staged ballots):
tables and columns read from the models and quoted, so that a statement names what the models
name and no value is ever spliced in."""

from __future__ import annotations

from django.db import connection

RESPONSE_COLUMNS = ("id", "tenant", "survey", "questionnaire", "stratum", "channel", "batch", "sheet_no")
ANSWER_COLUMNS = ("id", "tenant", "response", "question", "option")


def table(model) -> str:
    """A model's table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str, alias: str = "") -> str:
    """A field's column, quoted, after ``alias.`` when given."""
    return (alias + "." if alias else "") + connection.ops.quote_name(model._meta.get_field(name).column)


def columns(model, names) -> str:
    return ", ".join(column(model, name) for name in names)
