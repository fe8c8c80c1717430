"""The public survey (公众评议): questionnaires, sampling plan, paper entry and the e-poll.

A unit's survey score is the mean points of its answered ratings; "don't know" (不了解) options
carry no points and are left out (domain section 7).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.models import Campaign, Category, TenantOwned, Unit


class Survey(TenantOwned):
    """A public survey (公众评议) of a campaign; ``key`` is what the scheme's formula names
    (component source ``survey:<key>``)."""

    class Identification(models.TextChoices):
        DEVICE = "device", _("匿名(每台设备一份)")
        PHONE = "phone", _("实名(手机号验证,每人一份)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    key = models.SlugField(_("标识"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    epoll_enabled = models.BooleanField(_("开放网上评议"), default=False)
    identification = models.CharField(
        _("网上评议身份"), max_length=10, choices=Identification.choices, default=Identification.DEVICE
    )
    opens_at = models.DateTimeField(_("网上评议开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("网上评议截止"), null=True, blank=True)
    purpose = models.TextField(
        _("收集说明"),
        blank=True,
        help_text=_("评议页面向公众说明收集哪些信息、用于何处"),
    )
    ip_hourly_limit = models.PositiveIntegerField(
        _("每个IP每小时提交上限"), default=30, help_text=_("0 表示不限(仅用于压力测试)")
    )
    double_entry = models.BooleanField(_("纸质问卷双录入"), default=False)

    class Meta:
        ordering = ["campaign_id", "key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="survey_key_unique")]

    def __str__(self) -> str:
        return self.name


class Questionnaire(TenantOwned):
    """A questionnaire (调查问卷) for a category or a set of units; each question rates one unit."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questionnaires")
    name = models.CharField(_("名称"), max_length=200)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class AnswerOption(TenantOwned):
    """An answer option (选项) and its points; no points means "don't know" (不了解)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("选项"), max_length=60)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire_id", "order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_dont_know(self) -> bool:
        return self.points is None


class Question(TenantOwned):
    """A question (题目) rating one unit: "您对××局的工作是否满意?"."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("题目"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "unit"], name="question_unit_unique")]

    def __str__(self) -> str:
        return self.text


class Stratum(TenantOwned):
    """A stratum (抽样层) of the sampling plan: a survey point, district or respondent type,
    with its quota (配额) and, for post-stratification, its population share (总体比例)."""

    class Kind(models.TextChoices):
        SURVEY_POINT = "survey_point", _("调查点")
        DISTRICT = "district", _("区域")
        RESPONDENT = "respondent", _("对象类型")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="strata")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SURVEY_POINT)
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    quota = models.PositiveIntegerField(_("配额"), default=0)
    population_share = models.DecimalField(
        _("总体比例"), max_digits=7, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["survey_id", "code"]
        verbose_name_plural = "strata"
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="stratum_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PaperBatch(TenantOwned):
    """A batch (批次) of paper questionnaires from one stratum / survey point, keyed by staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("录入中")
        CLOSED = "closed", _("已完成")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="batches")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("批次号"), max_length=60)
    double_entry = models.BooleanField(_("双录入"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey_id", "-created_at", "id"]
        verbose_name_plural = "paper batches"
        constraints = [models.UniqueConstraint(fields=["survey", "label"], name="batch_label_unique")]

    def __str__(self) -> str:
        return self.label


class PaperKeying(TenantOwned):
    """One clerk's keying (录入) of one sheet in a double-entry batch; pass 1 and pass 2 by
    different clerks are compared, and the sheet becomes a response when they agree or the
    office resolves the mismatch."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="keyings")
    sheet_no = models.PositiveIntegerField(_("问卷编号"))
    pass_no = models.PositiveSmallIntegerField(_("录入遍次"))
    answers = models.JSONField(_("答案"))  # {question_id: option_id}
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch_id", "sheet_no", "pass_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sheet_no", "pass_no"], name="keying_pass_unique"),
            models.CheckConstraint(condition=models.Q(pass_no__in=[1, 2]), name="keying_pass_1_or_2"),
        ]


class Response(TenantOwned):
    """A completed questionnaire (答卷), from paper or the e-poll.

    No timestamp and a random key: an e-poll response must not be linkable to the participation
    record of the phone or device that sent it (docs/surveys.md).
    """

    class Channel(models.TextChoices):
        PAPER = "paper", _("纸质问卷")
        ONLINE = "online", _("网上评议")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # no index of their own: (survey, stratum) and (batch, sheet_no) below begin with them
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices)
    batch = models.ForeignKey(
        PaperBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="responses", db_index=False
    )
    sheet_no = models.PositiveIntegerField(_("问卷编号"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "sheet_no"], name="response_sheet_unique")]
        indexes = [models.Index(fields=["survey", "stratum"])]


ANSWER_KEY_QUESTION_BITS = 48


def answer_key(response_id: uuid.UUID, question_id: int) -> uuid.UUID:
    """An answer's key: its response's random key with the last 48 bits replaced by the question
    id (PostgreSQL: :data:`ANSWER_KEY_SQL`). A response's answers then sit side by side in the key's
    index, one page written per ballot rather than one random page per answer (about 40 % less
    write-ahead log per ballot); and the key tells nothing its row does not already say."""
    if not 0 < question_id < 1 << ANSWER_KEY_QUESTION_BITS:
        raise ValueError(f"question id {question_id} does not fit an answer's key")
    return uuid.UUID(int=(response_id.int >> ANSWER_KEY_QUESTION_BITS << ANSWER_KEY_QUESTION_BITS) | question_id)


# answer_key in SQL, of a response key and a question id (format() placeholders)
ANSWER_KEY_SQL = "overlay({response}::text placing lpad(to_hex({question}), 12, '0') from 25)::uuid"


class Answer(TenantOwned):
    """One rating (评价) of one unit in a response; its key is :func:`answer_key`.

    A province's e-poll writes twenty of these per ballot, so each costs what it must and no more
    (issue #10, docs/surveys.md "What a ballot writes"): the unique (response, question) index is
    the only one leading with the response, and the tenant, question and option are not checked
    by foreign-key constraints in the database. Those three name the same rows for every ballot,
    and PostgreSQL checks each by locking the row it finds (``FOR KEY SHARE``): sixty checks per
    ballot, about 0.8 ms of the database's time. They are checked before writing instead: the
    services accept only the questionnaire's own questions and options (``QuestionnaireShape``),
    and deleting an answered question, option, questionnaire or survey is still refused
    (``PROTECT`` is Django's, not the database's). The response is a database constraint.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("evaluation.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]


class StagedBallot(TenantOwned):
    """An e-poll ballot received and not yet filed (已收待归档): its response and answers are
    written from it in bulk by :func:`surveys.services.filing.ballots_file`.

    The e-poll's JSON endpoint on PostgreSQL writes this one row beside the participation instead
    of a response and twenty answers (issue #10, docs/surveys.md "What a ballot writes"): the
    ballot is stored and counted as answered when the citizen is told so, and its answers reach
    the tallies when they are filed — every few seconds by the beat, and always before anything
    reads answers (the tallies, the quota progress). The key is the key its response will have:
    random, as a response's, so filing twice cannot write it twice.

    ``ratings`` is ``{"question id": option id}``, checked against the questionnaire before it was
    written, as an answer's question and option are; like an answer, the questionnaire and stratum
    are not database constraints (``PROTECT`` is Django's), the survey is.
    """

    # no indexes but the key: the table holds only the last few seconds' ballots
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "evaluation.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    stratum = models.ForeignKey(
        Stratum, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_constraint=False, db_index=False
    )
    ratings = models.JSONField()


class EpollParticipation(TenantOwned):
    """That a phone or device has answered (已参与): a keyed hash only, no time, no link to the
    response, so one-per-person holds without knowing who said what.

    ``submission_hash`` is the keyed hash of the form's random submission key, so that the same
    form sent again is recognised as received (and not refused as a second answer).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)  # see participation_once
    identity_hash = models.CharField(max_length=64)
    submission_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "identity_hash"], name="participation_once"),
            models.UniqueConstraint(
                fields=["survey", "submission_hash"],
                condition=~models.Q(submission_hash=""),
                name="participation_submission_once",
            ),
        ]


class PhoneChallenge(TenantOwned):
    """A verification code (验证码) sent to a phone for an identified e-poll; hashes only."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["survey", "phone_hash"])]
