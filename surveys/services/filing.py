"""Filing staged e-poll ballots (选票归档): each :class:`StagedBallot` becomes the response and
answers that :func:`surveys.services.epoll.response_write` would have written at once.

The e-poll's JSON endpoint on PostgreSQL stores a ballot as one staged row (issue #10,
docs/surveys.md "What a ballot writes"); filing turns them into responses and answers in bulk —
on PostgreSQL one statement per few thousand ballots, which costs the database a fraction of
what twenty-two rows written one ballot at a time did. It runs every few seconds from the beat
(:func:`surveys.tasks.staged_ballots_file`) and before anything reads answers
(:mod:`surveys.selectors.tallies`, :mod:`surveys.selectors.progress`), so a tally never misses a
ballot the citizen was told was received.

Each batch is one transaction: its staged rows are deleted as their responses are written, so a
ballot is filed once or not at all. A staged ballot whose response already exists (its key is
random: only itself, filed before) is taken off without writing it again, so that no row can
stop every later filing. A reader waits for the rows another filing holds, so that it
reads them once written; the beat skips them.
"""

from __future__ import annotations

import functools

from django.db import connection, transaction

from surveys.models import ANSWER_KEY_SQL, Answer, Response, StagedBallot, answer_key
from surveys.services import sql

BATCH = 5000  # ballots per statement: about 100,000 answers


@functools.cache
def _filing_sql(survey_filter: bool, skip_locked: bool) -> str:
    """The PostgreSQL statement filing up to ``%s`` staged ballots (of the surveys in ``%s`` when
    ``survey_filter``): delete them, insert their responses and answers, count them."""
    staged, key = sql.table(StagedBallot), sql.column(StagedBallot, "id")
    columns = sql.columns(StagedBallot, ("id", "tenant", "survey", "questionnaire", "stratum"))
    where = f"WHERE {sql.column(StagedBallot, 'survey')} = ANY(%s) " if survey_filter else ""
    lock = "FOR UPDATE SKIP LOCKED" if skip_locked else "FOR UPDATE"
    response_columns = sql.columns(Response, sql.RESPONSE_COLUMNS)
    answer_columns = sql.columns(Answer, sql.ANSWER_COLUMNS)
    staged_id, tenant = "taken." + key, sql.column(StagedBallot, "tenant", "taken")
    answer_id = ANSWER_KEY_SQL.format(response=staged_id, question="rating.key::bigint")
    return (  # names from the models, values are parameters
        f"WITH taken AS (DELETE FROM {staged} WHERE {key} IN ("  # noqa: S608
        f"SELECT {key} FROM {staged} {where}LIMIT %s {lock}) "
        f"RETURNING {columns}, {sql.column(StagedBallot, 'ratings')} AS ratings), "
        f"responses AS (INSERT INTO {sql.table(Response)} ({response_columns}) "
        f"SELECT {columns}, %s, NULL, NULL FROM taken ON CONFLICT DO NOTHING RETURNING {sql.column(Response, 'id')}), "
        # the answers of the responses written now: a response written before has its own
        f"answers AS (INSERT INTO {sql.table(Answer)} ({answer_columns}) "
        f"SELECT {answer_id}, {tenant}, {staged_id}, rating.key::bigint, rating.value::bigint "
        f"FROM taken JOIN responses ON responses.{sql.column(Response, 'id')} = {staged_id}, "
        "jsonb_each_text(taken.ratings) AS rating) "
        "SELECT count(*) FROM taken"
    )


def ballots_file(*, survey_ids=None, batch: int = BATCH, skip_locked: bool = False) -> int:
    """File every staged ballot (of ``survey_ids`` only, when given); the number filed.

    A reader of answers waits for ballots another filing is writing, so that it reads them once
    they are written (the default); the beat, ``skip_locked``, leaves them to that filing. Inside
    a caller's transaction the filing is part of it (a compute job reading the tallies);
    otherwise each batch commits on its own."""
    if survey_ids is not None:
        survey_ids = [int(pk) for pk in survey_ids]
        if not survey_ids:
            return 0
    filed = 0
    while _staged(survey_ids).exists():  # one query when there is nothing to file
        with transaction.atomic():
            if connection.vendor == "postgresql":
                count = _file_batch_in_sql(survey_ids, batch, skip_locked)
            else:
                count = _file_batch(survey_ids, batch, skip_locked)
        filed += count
        if skip_locked and count < batch:  # what is left, another filing holds (or just came)
            break
    return filed


def _staged(survey_ids: list[int] | None):
    staged = StagedBallot.objects.order_by()
    return staged if survey_ids is None else staged.filter(survey_id__in=survey_ids)


def _file_batch_in_sql(survey_ids: list[int] | None, batch: int, skip_locked: bool = False) -> int:
    params: list = [survey_ids] if survey_ids is not None else []
    with connection.cursor() as cursor:
        cursor.execute(_filing_sql(survey_ids is not None, skip_locked),
                       [*params, batch, Response.Channel.ONLINE.value])
        return cursor.fetchone()[0]


def _file_batch(survey_ids: list[int] | None, batch: int, skip_locked: bool = False) -> int:
    """The same through the ORM (SQLite, where the e-poll writes responses at once and nothing is
    staged but what an archive brought)."""
    rows = list(_staged(survey_ids).select_for_update(skip_locked=skip_locked)[:batch])
    if not rows:
        return 0
    Response.objects.bulk_create([
        Response(id=row.pk, tenant_id=row.tenant_id, survey_id=row.survey_id, questionnaire_id=row.questionnaire_id,
                 stratum_id=row.stratum_id, channel=Response.Channel.ONLINE)
        for row in rows
    ], ignore_conflicts=True)
    Answer.objects.bulk_create([
        Answer(id=answer_key(row.pk, int(question)), tenant_id=row.tenant_id, response_id=row.pk,
               question_id=int(question), option_id=int(option))
        for row in rows for question, option in row.ratings.items()
    ], batch_size=2000, ignore_conflicts=True)
    StagedBallot.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)

