"""Democratic evaluation: one ballot per token, and no link between a token and its ballot."""

import pytest
from django.db import connection

from surveys.models import Ballot, BallotToken, BallotVote
from surveys.services.democratic import TokenRefused, ballot_cast
from surveys.services.setup import ballot_tokens_issue, democratic_create, evaluator_group_create


@pytest.fixture
def evaluation_world(example_world):
    w = example_world
    evaluation = democratic_create(campaign=w["campaign"], key="democratic", name="民主测评",
                                   units=[w["units"]["U4"], w["units"]["U5"]])
    group = evaluator_group_create(evaluation=evaluation, code="deputies", name="人大代表", kind="deputies")
    tokens = ballot_tokens_issue(group=group, count=3)
    return {**w, "evaluation": evaluation, "group": group, "tokens": tokens}


def _snapshot():
    return (
        list(BallotToken.objects.order_by("pk").values_list("pk", "used")),
        sorted(Ballot.objects.values_list("pk", flat=True)),
        sorted(BallotVote.objects.values_list("pk", "unit_id", "choice")),
    )


@pytest.mark.smoke
def test_a_reused_token_is_refused_and_nothing_changes(evaluation_world):
    w = evaluation_world
    token = w["tokens"][0].token
    u4, u5 = w["units"]["U4"].pk, w["units"]["U5"].pk
    ballot_cast(token=token, votes={u4: "satisfied", u5: "average"})
    before = _snapshot()

    with pytest.raises(TokenRefused):
        ballot_cast(token=token, votes={u4: "dissatisfied", u5: "dissatisfied"})

    assert _snapshot() == before
    assert BallotVote.objects.filter(choice="dissatisfied").count() == 0


def test_an_unknown_token_or_foreign_unit_is_refused(evaluation_world):
    w = evaluation_world
    with pytest.raises(TokenRefused):
        ballot_cast(token="not-a-token", votes={w["units"]["U4"].pk: "satisfied"})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ballot_cast(token=w["tokens"][1].token, votes={w["units"]["U1"].pk: "satisfied"})
    assert not BallotToken.objects.filter(used=True).exists() and not Ballot.objects.exists()


def _all_rows_as_text() -> list[tuple[str, str]]:
    """Every row of every surveys table, as text, with its table name."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("surveys_"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            rows.extend((table, " ".join(str(v) for v in row)) for row in cursor.fetchall())
    return rows


def test_after_voting_no_table_holds_the_token_beside_the_ballot(evaluation_world):
    w = evaluation_world
    u4, u5 = w["units"]["U4"].pk, w["units"]["U5"].pk
    ballot_cast(token=w["tokens"][0].token, votes={u4: "satisfied", u5: "average"})
    ballot_cast(token=w["tokens"][1].token, votes={u4: "dissatisfied", u5: "unknown"})

    token_rows = {t.pk: t for t in BallotToken.objects.all()}
    ballot_ids = {str(b) for b in Ballot.objects.values_list("pk", flat=True)}
    vote_ids = {str(v) for v in BallotVote.objects.values_list("pk", flat=True)}
    tokens = {t.token for t in token_rows.values()}

    for table, text in _all_rows_as_text():
        holds_token = any(token in text for token in tokens)
        holds_ballot = any(b in text for b in ballot_ids | vote_ids)
        assert not (holds_token and holds_ballot), f"{table} links a token and a ballot: {text}"

    # the ballot tables carry no reference to tokens and no time
    for model in (Ballot, BallotVote):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"token", "created_at", "updated_at", "cast_at", "voter"}
        assert model._meta.pk.get_internal_type() == "UUIDField"
    assert {f.name for f in BallotToken._meta.concrete_fields} == {
        "id", "tenant", "evaluation", "group", "serial", "token", "used"
    }


@pytest.mark.postgres
def test_used_tokens_share_the_newest_transaction_id(evaluation_world, transactional_db):
    """PostgreSQL stamps rows with their writing transaction (xmin): after each cast every used
    token carries the newest ballot's, so xmin cannot pair a token with an earlier ballot."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    w = evaluation_world
    u4 = w["units"]["U4"].pk
    for token in w["tokens"][:-1]:
        ballot_cast(token=token.token, votes={u4: "satisfied"})
    earlier = set(Ballot.objects.values_list("pk", flat=True))
    ballot_cast(token=w["tokens"][-1].token, votes={u4: "average"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM surveys_ballottoken WHERE used")
        token_xmins = {r[0] for r in cursor.fetchall()}
        cursor.execute("SELECT id, xmin::text FROM surveys_ballot")
        ballot_xmins = dict(cursor.fetchall())
    assert len(set(ballot_xmins.values())) == 3  # each cast is its own transaction
    newest = {x for pk, x in ballot_xmins.items() if pk not in earlier}
    assert token_xmins == newest


def test_ballot_sql_is_not_logged(evaluation_world, caplog, settings):
    import logging

    from django.db import connection as conn

    w = evaluation_world
    conn.force_debug_cursor = True
    try:
        with caplog.at_level(logging.DEBUG, logger="django.db.backends"):
            ballot_cast(token=w["tokens"][2].token, votes={w["units"]["U4"].pk: "average"})
            BallotToken.objects.count()  # logged as usual outside the cast
    finally:
        conn.force_debug_cursor = False
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "django.db.backends")
    assert w["tokens"][2].token not in logged
    assert "surveys_ballotvote" not in logged
    assert "COUNT" in logged.upper()
