"""Senders of e-poll verification codes (验证码). Pluggable: ``settings.SURVEY_SMS_SENDER`` is a
dotted path to a class with ``send(phone: str, message: str) -> None``; the default prints to
the console, for development and for deployments that have no SMS gateway yet."""

from __future__ import annotations

import sys

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_SENDER = "surveys.services.sms.ConsoleSender"


class ConsoleSender:
    def send(self, phone: str, message: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {message}\n")
        sys.stdout.flush()


class MemorySender:
    """Keeps messages in memory (tests, benchmarks)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        MemorySender.outbox.append((phone, message))


def get_sender():
    return import_string(getattr(settings, "SURVEY_SMS_SENDER", DEFAULT_SENDER))()
