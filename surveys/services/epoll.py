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
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import EpollParticipation, PhoneChallenge, Questionnaire, Response, Stratum, Survey
from surveys.services.responses import QuestionnaireShape, response_write
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


def window_problem(survey: Survey, now=None) -> str | None:
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


def _check_nonce(survey: Survey, nonce: str, device_id: str) -> None:
    try:
        data = signing.loads(nonce or "", salt=NONCE_SALT, max_age=NONCE_MAX_AGE)
    except signing.BadSignature as exc:
        raise EpollRefused("页面已过期,请刷新后重新填写") from exc
    if data.get("s") != str(survey.public_id) or data.get("d") != _keyed("device", device_id)[:16]:
        raise EpollRefused("页面已过期,请刷新后重新填写")


def _rate_limit(key: str, limit: int, seconds: int) -> None:
    if limit <= 0:
        return
    cache_key = "surveys:rl:" + _keyed(key)[:32]
    if cache.add(cache_key, 1, seconds):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, seconds)
        return
    if count > limit:
        raise RateLimited("提交过于频繁,请稍后再试")


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


def _submission_hash(survey: Survey, key: str) -> str:
    """The keyed hash of a form's submission key; "" when the client sent none (older clients)."""
    if not key:
        return ""
    try:
        canonical = str(uuid.UUID(str(key)))
    except ValueError as exc:
        raise EpollRefused("页面已过期,请刷新后重新填写") from exc
    return _keyed("submission", str(survey.public_id), canonical)


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
    submission = _submission_hash(survey, submission_key)
    if submission and _submission_recorded(survey, submission):
        return EpollReceipt(replayed=True)
    cleaned = QuestionnaireShape(questionnaire).clean(answers, complete=True)
    _rate_limit(f"submit-ip:{survey.pk}:{ip}", survey.ip_hourly_limit, 3600)
    challenge = None
    if survey.identification == Survey.Identification.PHONE:
        identity, challenge = _verify_phone(survey, phone, code, now)
    else:
        identity = _keyed("device", str(survey.public_id), device_id)
    try:
        with transaction.atomic():
            if challenge is not None and not PhoneChallenge.objects.filter(pk=challenge).delete()[0]:
                raise EpollRefused("验证码无效或已过期,请重新获取")  # used by a submission running alongside
            EpollParticipation.objects.create(
                tenant_id=survey.tenant_id, survey=survey, identity_hash=identity, submission_hash=submission
            )
            response_write(
                questionnaire=questionnaire, stratum=stratum, channel=Response.Channel.ONLINE, answers=cleaned
            )
    except IntegrityError as exc:
        # the same form sent twice at once: the other request recorded it
        if submission and _submission_recorded(survey, submission):
            return EpollReceipt(replayed=True)
        raise AlreadyAnswered("您已参加过本次评议,感谢您的参与") from exc
    return EpollReceipt()


def _submission_recorded(survey: Survey, submission: str) -> bool:
    return EpollParticipation.objects.filter(survey=survey, submission_hash=submission).exists()
