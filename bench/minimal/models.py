"""Rows of the bench-only app: an insert floor and the marker of generated campaigns."""

from __future__ import annotations

import uuid

from django.db import models


class Ping(models.Model):
    """One row shaped like a rating (a survey answer): what the minimal insert view writes.

    A random key and three integer references, as an e-poll answer has, but no foreign keys,
    no checks and no transaction of its own: the cheapest insert Django can do over HTTP.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.IntegerField()
    question = models.IntegerField()
    option = models.IntegerField()

    def __str__(self) -> str:
        return f"ping {self.pk}"


class Dataset(models.Model):
    """A campaign written by bench/generate.py: its tenant slug, the scale it was made at and how
    long that took, so bench/run.py reuses it instead of generating it again."""

    slug = models.SlugField(max_length=50, unique=True)
    params = models.JSONField()
    campaign_id = models.BigIntegerField()
    seconds = models.JSONField(default=dict)  # phase name → seconds spent generating it
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.slug} {self.params.get('scale')}"
