"""The template library (方案模板库): one JSON data file per seed scheme.

Each file holds ``key``, ``name``, ``source`` (where the scheme comes from, shown to the office and
written into docs/templates.md) and ``document``, a campaign scheme document without a campaign
block (docs/scheme-document.md). A new campaign can start from any of them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: the order templates are offered in; Nanping (worked example A) first
ORDER = ("nanping", "zhangzhou", "township", "xingan", "jiangsu", "shenzhen2010", "hubei_archives")

__all__ = ["Template", "all_templates", "load_template", "ORDER"]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    source: str
    raw_document: dict[str, Any]

    @property
    def document(self) -> dict[str, Any]:
        """A fresh copy each time: importing must not be able to change the template."""
        return copy.deepcopy(self.raw_document)

    @property
    def categories(self) -> list[dict[str, Any]]:
        return self.raw_document["categories"]


@cache
def _read(key: str) -> Template:
    path = HERE / f"{key}.json"
    if not path.is_file() or key not in ORDER:
        raise KeyError(key)
    data = json.loads(path.read_text(encoding="utf-8"))
    return Template(key=data["key"], name=data["name"], source=data["source"], raw_document=data["document"])


def load_template(key: str) -> Template:
    """The template named ``key``; KeyError for an unknown one."""
    return _read(key)


def all_templates() -> list[Template]:
    return [_read(key) for key in ORDER if (HERE / f"{key}.json").is_file()]
