"""The online e-poll (网上评议): a public page, one response per device or per verified phone.

* Each page load gets a nonce signed by the server and bound to the survey and the device
  cookie; a submission without a fresh nonce from this device is refused. The JSON endpoint is
  therefore CSRF-exempt safely: a cross-site page cannot read a nonce, and the endpoint uses no
  cookie-based login to abuse anyway (docs/surveys.md).
* Anonymous polls allow one response per device (a random cookie) and a number of responses
  per IP address per hour; identified polls one response per phone number verified by a code.
* The participation record is a keyed hash with no time and no link to the response.
* Each form carries a submission key (a random UUID) so that a submission sent again — the page
  retrying after a dropped connection or a database outage — is accepted once: the same key is
  answered "received" without writing anything, whether or not the first attempt got through.

Intake speed (issue #10, docs/performance.md). The JSON endpoint's submissions to an anonymous
poll on PostgreSQL (:func:`intake_target`, :func:`epoll_intake`) are two statements, both
prepared once per database connection: one read of the survey, the questionnaire's question and
option ids, the stratum and whether the submission key is recorded; then, after the same checks
in the same order as :func:`epoll_submit`, one statement inserting the participation and the
ballot as one staged row (:class:`StagedBallot`), which :mod:`surveys.services.filing` turns
into its response and answers in bulk, within seconds and always before anything reads answers.
A single statement is its own transaction, so it needs no BEGIN and COMMIT, and it is atomic:
the participation's unique keys (``ON CONFLICT DO NOTHING``) decide whether the ballot is
written at all. The page's form post, identified polls and SQLite go
through :func:`submission_target` and :func:`epoll_submit`: one read, a look for the key, a
transaction with the participation and the response with its answers. Both paths use plain SQL
on Django's connection (building the ORM's queries and model instances cost several times the
database's work for these few rows) and cache nothing between requests, so a survey closed or a
questionnaire changed takes effect on the next submission.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from evaluation.caching import count_hit, uncount_hit
from surveys.models import (
    ANSWER_KEY_SQL,
    Answer,
    AnswerOption,
    EpollParticipation,
    PhoneChallenge,
    Question,
    Questionnaire,
    Response,
    StagedBallot,
    Stratum,
    Survey,
    answer_key,
)
from surveys.services import sql
from surveys.services.responses import QuestionnaireShape
from surveys.services.sms import get_sender

NONCE_SALT = "surveys.epoll.nonce"
NONCE_MAX_AGE = 3 * 3600
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
DEVICE_COOKIE = "kp_device"


class EpollRefused(ValidationError):
    """The submission was refused; nothing was written."""


class AlreadyAnswered(EpollRefused):
    pass


class RateLimited(EpollRefused):
    pass


@dataclass(frozen=True)
class EpollReceipt:
    """What a submission did: recorded a new response, or found its submission key already
    recorded (``replayed``: the same form sent again) and wrote nothing."""

    replayed: bool = False


def _keyed(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def new_device_id() -> str:
    return secrets.token_urlsafe(18)


def window_problem(survey: Survey | IntakeTarget, now=None) -> str | None:
    now = now or timezone.now()
    if not survey.epoll_enabled:
        return "本次评议未开放网上评议"
    if survey.opens_at and now < survey.opens_at:
        return "网上评议尚未开始"
    if survey.closes_at and now >= survey.closes_at:
        return "网上评议已结束"
    return None


def epoll_nonce(*, survey: Survey, device_id: str) -> str:
    return signing.dumps({"s": str(survey.public_id), "d": _keyed("device", device_id)[:16]}, salt=NONCE_SALT)


def _check_nonce(survey: Survey | IntakeTarget, nonce: str, device_id: str) -> None:
    try:
        data = signing.loads(nonce or "", salt=NONCE_SALT, max_age=NONCE_MAX_AGE)
    except signing.BadSignature as exc:
        raise EpollRefused("页面已过期,请刷新后重新填写") from exc
    if data.get("s") != str(survey.public_id) or data.get("d") != _keyed("device", device_id)[:16]:
        raise EpollRefused("页面已过期,请刷新后重新填写")


def _rate_limit(key: str, limit: int, seconds: int) -> str | None:
    """Count one attempt against ``limit`` per ``seconds``; the counter's key (None when there is
    no limit), for :func:`_uncounted_if_lost`."""
    if limit <= 0:
        return None
    counter = "surveys:rl:" + _keyed(key)[:32]
    if count_hit(counter, seconds=seconds) > limit:
        raise RateLimited("提交过于频繁,请稍后再试")
    return counter


# What a lost database connection raises: the submission is answered 503 and may be sent again
DATABASE_LOST = (OperationalError, InterfaceError)


@contextlib.contextmanager
def _uncounted_if_lost(counter: str | None):
    """A submission the database connection failed under (answered 503, to be sent again) does
    not count against the per-IP limit: its retry will."""
    try:
        yield
    except DATABASE_LOST:
        if counter is not None:
            uncount_hit(counter)
        raise


def epoll_code_send(*, survey: Survey, phone: str, ip: str, now=None) -> None:
    """Send a verification code to ``phone`` for an identified poll."""
    now = now or timezone.now()
    problem = window_problem(survey, now)
    if problem:
        raise EpollRefused(problem)
    if survey.identification != Survey.Identification.PHONE:
        raise EpollRefused("本次评议无需手机验证")
    phone = (phone or "").strip()
    if not PHONE_RE.match(phone):
        raise ValidationError("请输入11位手机号码")
    _rate_limit(f"code-ip:{survey.pk}:{ip}", max(survey.ip_hourly_limit, 0), 3600)
    phone_hash = _keyed("phone", str(survey.public_id), phone)
    if not cache.add("surveys:resend:" + phone_hash[:32], 1, CODE_RESEND_SECONDS):
        raise RateLimited("验证码已发送,请稍后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneChallenge.objects.filter(survey=survey, phone_hash=phone_hash).delete()
        PhoneChallenge.objects.create(
            tenant_id=survey.tenant_id, survey=survey, phone_hash=phone_hash,
            code_hash=_keyed("code", phone_hash, code), expires_at=now + CODE_TTL,
        )
        message = f"您参加“{survey.name}”的验证码为{code},10分钟内有效。"
        transaction.on_commit(lambda: get_sender().send(phone, message))


def new_submission_key() -> str:
    return str(uuid.uuid4())


def _submission_hash(public_id, key: str) -> str:
    """The keyed hash of a form's submission key for the survey ``public_id``; "" when the client
    sent none (older clients)."""
    if not key:
        return ""
    try:
        canonical = str(uuid.UUID(str(key)))
    except ValueError as exc:
        raise EpollRefused("页面已过期,请刷新后重新填写") from exc
    return _keyed("submission", str(public_id), canonical)


def _verify_phone(survey: Survey, phone: str, code: str, now) -> tuple[str, int]:
    """The phone's keyed hash and its challenge once the code checks out; a wrong code counts as
    an attempt. The challenge is used up by the caller, in the transaction that records the
    response, so a submission lost with the database connection can be sent again with the same code."""
    phone = (phone or "").strip()
    if not PHONE_RE.match(phone):
        raise EpollRefused("请输入11位手机号码")
    phone_hash = _keyed("phone", str(survey.public_id), phone)
    with transaction.atomic():
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(survey=survey, phone_hash=phone_hash, expires_at__gt=now)
            .first()
        )
        if challenge is None or challenge.attempts >= CODE_ATTEMPTS:
            problem = "验证码无效或已过期,请重新获取"
        elif not hmac.compare_digest(challenge.code_hash, _keyed("code", phone_hash, (code or "").strip())):
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])  # committed: the attempt must count
            problem = "验证码不正确"
        else:
            problem = None
    if problem:
        raise EpollRefused(problem)
    return phone_hash, challenge.pk


def epoll_submit(
    *,
    survey: Survey,
    questionnaire: Questionnaire,
    answers: Mapping,
    nonce: str,
    device_id: str,
    ip: str,
    stratum: Stratum | None = None,
    phone: str = "",
    code: str = "",
    submission_key: str = "",
    now=None,
) -> EpollReceipt:
    """Record one e-poll response; refuses (writing nothing) a second one from the same person.

    ``submission_key`` is the form's random key: sent again, it is answered as received and
    nothing more is written, so a client may retry a submission whose answer it never got.
    """
    now = now or timezone.now()
    problem = window_problem(survey, now)
    if problem:
        raise EpollRefused(problem)
    if questionnaire.survey_id != survey.pk or (stratum is not None and stratum.survey_id != survey.pk):
        raise EpollRefused("问卷不属于本次评议")
    _check_nonce(survey, nonce, device_id)
    submission = _submission_hash(survey.public_id, submission_key)
    if submission and _submission_recorded(survey.pk, submission):
        return EpollReceipt(replayed=True)
    cleaned = questionnaire_shape(questionnaire).clean(answers, complete=True)
    counter = _rate_limit(f"submit-ip:{survey.pk}:{ip}", survey.ip_hourly_limit, 3600)
    challenge = None
    if survey.identification == Survey.Identification.PHONE:
        identity, challenge = _verify_phone(survey, phone, code, now)
    else:
        identity = _keyed("device", str(survey.public_id), device_id)
    try:
        with _uncounted_if_lost(counter), transaction.atomic():
            if challenge is not None and not PhoneChallenge.objects.filter(pk=challenge).delete()[0]:
                raise EpollRefused("验证码无效或已过期,请重新获取")  # used by a submission running alongside
            _participation_insert(survey, identity, submission)
            response_write(
                questionnaire=questionnaire, stratum=stratum, channel=Response.Channel.ONLINE, answers=cleaned
            )
    except IntegrityError as exc:
        # the same form sent twice at once: the other request recorded it
        if submission and _submission_recorded(survey.pk, submission):
            return EpollReceipt(replayed=True)
        raise AlreadyAnswered("您已参加过本次评议,感谢您的参与") from exc
    return EpollReceipt()


# ------------------------------------------------------------------------------------------------
# The intake path in plain SQL (see the module's docstring)
# ------------------------------------------------------------------------------------------------

_SURVEY_FIELDS = list(Survey._meta.concrete_fields)
_QUESTIONNAIRE_FIELDS = list(Questionnaire._meta.concrete_fields)
_ANSWER_ROW = "(%s, %s, %s, %s, %s)"


@functools.cache
def _sql(vendor: str) -> dict[str, str]:
    """The intake's statements, written once per process from the models' tables and columns."""
    quote = connection.ops.quote_name
    survey_columns = ", ".join("s." + quote(f.column) for f in _SURVEY_FIELDS)
    questionnaire_columns = ", ".join("q." + quote(f.column) for f in _QUESTIONNAIRE_FIELDS)
    participation = sql.table(EpollParticipation)
    shape_columns = ""
    if vendor == "postgresql":  # the questionnaire's question and option ids in the same read
        shape_columns = (
            f", ARRAY(SELECT {sql.column(Question, 'id')} FROM {sql.table(Question)} "  # noqa: S608
            f"WHERE {sql.column(Question, 'questionnaire')} = q.{sql.column(Questionnaire, 'id')}), "
            f"ARRAY(SELECT {sql.column(AnswerOption, 'id')} FROM {sql.table(AnswerOption)} "
            f"WHERE {sql.column(AnswerOption, 'questionnaire')} = q.{sql.column(Questionnaire, 'id')})"
        )
    statements = {  # table and column names from the models; every value is a parameter
        "target": (
            f"SELECT {survey_columns}, {questionnaire_columns}{shape_columns} FROM {sql.table(Survey)} s "  # noqa: S608
            f"LEFT JOIN {sql.table(Questionnaire)} q ON q.{sql.column(Questionnaire, 'survey')} = s.{sql.column(Survey, 'id')} "
            f"AND q.{sql.column(Questionnaire, 'id')} = %s WHERE s.{sql.column(Survey, 'public_id')} = %s"
        ),
        "shape": (
            f"SELECT 0, {sql.column(Question, 'id')} FROM {sql.table(Question)} "  # noqa: S608
            f"WHERE {sql.column(Question, 'questionnaire')} = %s UNION ALL "
            f"SELECT 1, {sql.column(AnswerOption, 'id')} FROM {sql.table(AnswerOption)} "
            f"WHERE {sql.column(AnswerOption, 'questionnaire')} = %s"
        ),
        "recorded": (
            f"SELECT 1 FROM {participation} WHERE {sql.column(EpollParticipation, 'survey')} = %s "  # noqa: S608
            f"AND {sql.column(EpollParticipation, 'submission_hash')} = %s"
        ),
        "participation": (
            f"INSERT INTO {participation} "  # noqa: S608
            f"({sql.columns(EpollParticipation, ('tenant', 'survey', 'identity_hash', 'submission_hash'))}) "
            "VALUES (%s, %s, %s, %s)"
        ),
        "response": (
            f"INSERT INTO {sql.table(Response)} ({sql.columns(Response, sql.RESPONSE_COLUMNS)}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL)"
        ),
        "answers": f"INSERT INTO {sql.table(Answer)} ({sql.columns(Answer, sql.ANSWER_COLUMNS)}) VALUES ",  # noqa: S608
    }
    if vendor == "postgresql":
        # the response and its answers in one statement
        statements["response_answers"] = (
            f"WITH r AS ({statements['response']}) "  # noqa: S608
            f"INSERT INTO {sql.table(Answer)} ({sql.columns(Answer, sql.ANSWER_COLUMNS)}) "
            f"SELECT {ANSWER_KEY_SQL.format(response='%s', question='t.q')}, %s, %s, t.q, t.o "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS t(q, o)"
        )
    return statements


def _aware(value):
    """A datetime column as the ORM would give it (SQLite returns text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def submission_target(public_id, questionnaire_id: int) -> tuple[Survey | None, Questionnaire | None]:
    """The survey by its public id and its questionnaire ``questionnaire_id``, in one statement:
    (None, None) when there is no such survey, (survey, None) when the questionnaire is not its."""
    public_field = Survey._meta.get_field("public_id")
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor)["target"],
                       [questionnaire_id, public_field.get_db_prep_value(public_id, connection)])
        row = cursor.fetchone()
    if row is None:
        return None, None
    values = list(row[: len(_SURVEY_FIELDS)])
    for index, field in enumerate(_SURVEY_FIELDS):
        if field.name in ("opens_at", "closes_at"):
            values[index] = _aware(values[index])
        elif field.name in ("epoll_enabled", "double_entry"):
            values[index] = bool(values[index])
        elif field.name == "public_id":
            values[index] = public_field.to_python(values[index])
    survey = Survey.from_db(connection.alias, [f.attname for f in _SURVEY_FIELDS], values)
    rest = row[len(_SURVEY_FIELDS):]
    if rest[0] is None:
        return survey, None
    questionnaire = Questionnaire.from_db(
        connection.alias, [f.attname for f in _QUESTIONNAIRE_FIELDS], list(rest[: len(_QUESTIONNAIRE_FIELDS)])
    )
    questionnaire.survey = survey
    if len(rest) > len(_QUESTIONNAIRE_FIELDS):  # PostgreSQL: the ids came along
        questions, options = rest[len(_QUESTIONNAIRE_FIELDS):]
        questionnaire._intake_shape = _Shape(questionnaire, set(questions), set(options))
    return survey, questionnaire


class _Shape(QuestionnaireShape):
    def __init__(self, questionnaire: Questionnaire | None, questions: set[int], options: set[int]) -> None:
        self.questionnaire = questionnaire
        self.questions = questions
        self.options = options


def questionnaire_shape(questionnaire: Questionnaire) -> QuestionnaireShape:
    """The questionnaire's question and option ids in one statement (the shared
    :class:`QuestionnaireShape` reads them in two ORM queries), or none when
    :func:`submission_target` read them with the questionnaire, in this request."""
    shape = getattr(questionnaire, "_intake_shape", None)
    if shape is not None:
        return shape
    questions: set[int] = set()
    options: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor)["shape"], [questionnaire.pk, questionnaire.pk])
        for kind, pk in cursor.fetchall():
            (options if kind else questions).add(pk)
    return _Shape(questionnaire, questions, options)


def _submission_recorded(survey_id: int, submission: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor)["recorded"], [survey_id, submission])
        return cursor.fetchone() is not None


def _participation_insert(survey: Survey, identity: str, submission: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor)["participation"], [survey.tenant_id, survey.pk, identity, submission])


def response_write(
    *, questionnaire: Questionnaire, stratum: Stratum | None, channel: str, answers: dict[int, int]
) -> None:
    """Insert one e-poll response and its answers (the caller holds the transaction): the rows
    :func:`surveys.services.responses.response_write` writes — random keys, no time — without
    building a model instance per answer. On PostgreSQL one statement writes both, the answers
    from two arrays; elsewhere two statements."""
    response_id = uuid.uuid4()
    tenant = questionnaire.tenant_id
    row = [tenant, questionnaire.survey_id, questionnaire.pk, stratum.pk if stratum else None, channel]
    statements = _sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                statements["response_answers"],
                [response_id, *row, response_id, tenant, response_id, list(answers), list(answers.values())],
            )
            return
        uuid_field = Response._meta.pk  # Answer's key is the same kind of field
        stored_id = uuid_field.get_db_prep_value(response_id, connection)
        params: list = []
        for question, option in answers.items():
            key = answer_key(response_id, question)
            params += [uuid_field.get_db_prep_value(key, connection), tenant, stored_id, question, option]
        cursor.execute(statements["response"], [stored_id, *row])
        cursor.execute(statements["answers"] + ", ".join([_ANSWER_ROW] * len(answers)), params)


# ------------------------------------------------------------------------------------------------
# The JSON endpoint's intake: one prepared read, one prepared write (PostgreSQL; see the module's
# docstring)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntakeTarget:
    """What a submission to an anonymous poll needs of its survey, questionnaire and stratum, read
    by :func:`intake_target` in one statement: plain values, not model instances (building those
    cost more than the read)."""

    public_id: uuid.UUID
    survey_id: int
    survey_tenant_id: int
    epoll_enabled: bool
    opens_at: datetime | None
    closes_at: datetime | None
    ip_hourly_limit: int
    questionnaire_id: int
    questionnaire_tenant_id: int
    shape: QuestionnaireShape
    stratum_id: int | None  # None also when the one asked for is not a respondent stratum of the survey
    submission_hash: str
    submission_recorded: bool


def _intake_statements() -> dict[str, tuple[str, str]]:
    """Name → (parameter types, statement) of the intake's prepared statements, from the models'
    tables and columns."""
    survey = [sql.column(Survey, name, "s") for name in (
        "id", "tenant", "epoll_enabled", "opens_at", "closes_at", "identification", "ip_hourly_limit")]
    questionnaire_id = sql.column(Questionnaire, "id", "q")
    participation = sql.table(EpollParticipation)
    target = (  # $1 public id, $2 questionnaire id, $3 stratum id, $4 submission hash ("" for none)
        f"SELECT {', '.join(survey)}, {questionnaire_id}, {sql.column(Questionnaire, 'tenant', 'q')}, "  # noqa: S608
        f"ARRAY(SELECT {sql.column(Question, 'id')} FROM {sql.table(Question)} "
        f"WHERE {sql.column(Question, 'questionnaire')} = {questionnaire_id}), "
        f"ARRAY(SELECT {sql.column(AnswerOption, 'id')} FROM {sql.table(AnswerOption)} "
        f"WHERE {sql.column(AnswerOption, 'questionnaire')} = {questionnaire_id}), "
        f"(SELECT {sql.column(Stratum, 'id', 't')} FROM {sql.table(Stratum)} t WHERE {sql.column(Stratum, 'id', 't')} = $3 "
        f"AND {sql.column(Stratum, 'survey', 't')} = s.{sql.column(Survey, 'id')} "
        f"AND {sql.column(Stratum, 'kind', 't')} = '{Stratum.Kind.RESPONDENT.value}'), "
        # the partial unique index on (survey, submission hash) holds only non-empty hashes: the
        # plan made once for every value can use it only when the query says so itself
        f"$4 <> '' AND EXISTS (SELECT 1 FROM {participation} p "
        f"WHERE {sql.column(EpollParticipation, 'survey', 'p')} = s.{sql.column(Survey, 'id')} "
        f"AND {sql.column(EpollParticipation, 'submission_hash', 'p')} = $4 "
        f"AND {sql.column(EpollParticipation, 'submission_hash', 'p')} <> '') "
        f"FROM {sql.table(Survey)} s LEFT JOIN {sql.table(Questionnaire)} q "
        f"ON {sql.column(Questionnaire, 'survey', 'q')} = s.{sql.column(Survey, 'id')} AND {questionnaire_id} = $2 "
        f"WHERE {sql.column(Survey, 'public_id', 's')} = $1"
    )
    # $1 survey's tenant, $2 survey, $3 identity hash, $4 submission hash, $5 questionnaire's
    # tenant, $6 questionnaire, $7 stratum, $8 the ratings {"question id": option id}.
    # Either both rows are written or none: the staged ballot only when the participation was (a
    # conflict on one of its unique keys — same person, same submission key — writes nothing),
    # and the statement is one transaction. gen_random_uuid() is a version-4 random key, as
    # uuid.uuid4(): the key, which its response keeps when filed, says nothing of the order of
    # arrival. The ballot is filed into its response and answers by surveys.services.filing.
    staged = sql.table(StagedBallot)
    write = (
        f"WITH participation AS (INSERT INTO {participation} "  # noqa: S608
        f"({sql.columns(EpollParticipation, ('tenant', 'survey', 'identity_hash', 'submission_hash'))}) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1) "
        f"INSERT INTO {staged} ({sql.columns(StagedBallot, ('id', 'tenant', 'survey', 'questionnaire', 'stratum', 'ratings'))}) "
        "SELECT gen_random_uuid(), $5, $2, $6, $7, $8 FROM participation"
    )
    return {
        "kaoping_epoll_target": ("uuid, bigint, bigint, text", target),
        "kaoping_epoll_write": ("bigint, bigint, text, text, bigint, bigint, bigint, jsonb", write),
    }


_PREPARED_ON = "_kaoping_epoll_prepared_on"  # attribute of the DatabaseWrapper: the raw connection


def _execute_prepared(cursor, name: str, params: list) -> None:
    """EXECUTE one of the intake's statements, preparing them first on a connection that has not:
    parsing and planning the write (three inserts) cost the server more than running it.

    Prepared statements belong to the server session (a rollback keeps them), so they are
    prepared again exactly when Django opens a new connection. They need a session of one's own:
    not a transaction-pooling PgBouncer (docker-compose.yml has none)."""
    raw = connection.connection
    if getattr(connection, _PREPARED_ON, None) is not raw:
        for statement, (types, text) in _intake_statements().items():
            cursor.execute(f"PREPARE {statement} ({types}) AS {text}")
        setattr(connection, _PREPARED_ON, raw)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


def intake_target(
    public_id: uuid.UUID, *, questionnaire_id: int, stratum_id: int | None, submission_key: str
) -> IntakeTarget | None:
    """The survey ``public_id`` with its questionnaire, the stratum (when it is one of the
    survey's respondent strata) and whether ``submission_key`` is recorded, in one statement.

    None when :func:`epoll_intake` does not apply and the caller takes :func:`submission_target`
    and :func:`epoll_submit`'s way, which gives the answer for each case: not PostgreSQL, no such
    survey, a questionnaire not the survey's, or a poll identified by phone (its code is checked
    under a row lock in the transaction that records the response)."""
    if connection.vendor != "postgresql":
        return None
    submission = _submission_hash(public_id, submission_key)
    with connection.cursor() as cursor:
        _execute_prepared(cursor, "kaoping_epoll_target", [str(public_id), questionnaire_id, stratum_id, submission])
        row = cursor.fetchone()
    if row is None:
        return None
    (survey_id, survey_tenant, enabled, opens_at, closes_at, identification, limit,
     questionnaire, questionnaire_tenant, questions, options, stratum, recorded) = row
    if questionnaire is None or identification != Survey.Identification.DEVICE:
        return None
    return IntakeTarget(
        public_id=public_id, survey_id=survey_id, survey_tenant_id=survey_tenant, epoll_enabled=enabled,
        opens_at=opens_at, closes_at=closes_at, ip_hourly_limit=limit, questionnaire_id=questionnaire,
        questionnaire_tenant_id=questionnaire_tenant, shape=_Shape(None, set(questions), set(options)),
        stratum_id=stratum, submission_hash=submission, submission_recorded=recorded,
    )


def epoll_intake(*, target: IntakeTarget, answers: Mapping, nonce: str, device_id: str, ip: str, now=None) -> EpollReceipt:
    """:func:`epoll_submit` for an anonymous poll read by :func:`intake_target`: the same checks
    in the same order, refusals and receipts, then the participation and the staged ballot in one
    statement (filed into its response and answers by :mod:`surveys.services.filing`)."""
    now = now or timezone.now()
    problem = window_problem(target, now)
    if problem:
        raise EpollRefused(problem)
    _check_nonce(target, nonce, device_id)
    if target.submission_recorded:
        return EpollReceipt(replayed=True)
    cleaned = target.shape.clean(answers, complete=True)
    counter = _rate_limit(f"submit-ip:{target.survey_id}:{ip}", target.ip_hourly_limit, 3600)
    identity = _keyed("device", str(target.public_id), device_id)
    params = [
        target.survey_tenant_id, target.survey_id, identity, target.submission_hash, target.questionnaire_tenant_id,
        target.questionnaire_id, target.stratum_id, json.dumps(cleaned, separators=(",", ":")),
    ]
    try:
        with _uncounted_if_lost(counter):
            written = _intake_write(params)
    except IntegrityError:  # a row it names went away meanwhile: refused, as epoll_submit refuses it
        written = False
    if written:
        return EpollReceipt()
    # the same form sent twice at once (the other request recorded it), or a second answer
    if target.submission_hash and _submission_recorded(target.survey_id, target.submission_hash):
        return EpollReceipt(replayed=True)
    raise AlreadyAnswered("您已参加过本次评议,感谢您的参与")


def _intake_write(params: list) -> bool:
    """Run the write; False when the participation's unique keys refused it (nothing written).
    Alone, the statement is its own transaction (no BEGIN, no COMMIT); inside a caller's
    transaction a savepoint keeps a failed write from spoiling it."""
    with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
        with connection.cursor() as cursor:
            _execute_prepared(cursor, "kaoping_epoll_write", params)
            return cursor.rowcount == 1
