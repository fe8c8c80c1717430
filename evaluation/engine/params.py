"""Reading scheme values with problems collected, not raised one at a time.

A scheme document is written by an efficiency-office admin in the browser; when it is wrong
they need every problem at once, each naming where it is (category, node code, component) and
what is wrong. :class:`Problems` collects them; :class:`Reader` reads one JSON-ish object
(strings for Decimals, as the scheme document has them, or Decimals when built in Python).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .explain import Explanation

__all__ = ["Problems", "Reader", "to_decimal", "where_category", "where_node", "where_component"]


def where_category(category: str) -> Explanation:
    return Explanation("where.category", {"category": category})


def where_node(category: str, code: str) -> Explanation:
    return Explanation("where.node", {"category": category, "code": code})


def where_component(category: str, key: str) -> Explanation:
    return Explanation("where.component", {"category": category, "key": key})


class Problems:
    """Collects scheme problems as explanations (“类别 C1 指标 1.2.1:缺少“target””)."""

    def __init__(self) -> None:
        self.items: list[Explanation] = []

    def add(self, where: Explanation | None, template: str, **params: Any) -> None:
        what = Explanation(template, params)
        self.items.append(Explanation("scheme.at", {"where": where, "what": what}) if where else what)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a Decimal, an int or a numeric string; ``None`` otherwise.

    Floats are refused on purpose: ``0.1`` is not one tenth in binary, and scores must be exact.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


class Reader:
    """Reads fields of one mapping, reporting problems against ``where``.

    Field names in messages carry their path (``kinds[2].deduction``) so a long list can be fixed
    without guessing which entry is meant.
    """

    def __init__(self, data: Any, problems: Problems, where: Explanation | None, path: str = "") -> None:
        self.problems = problems
        self.where = where
        self.path = path
        self.ok = True
        if isinstance(data, Mapping):
            self.data: Mapping[str, Any] = data
        else:
            self.data = {}
            self._add("sp.not_object", field=path or "·", value=_show(data))

    # -- helpers -------------------------------------------------------------------------------
    def _field(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _add(self, template: str, **params: Any) -> None:
        self.ok = False
        self.problems.add(self.where, template, **params)

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name)
        return default if value is None else value

    def done(self, allowed: Sequence[str]) -> None:
        """Report fields nobody asked for: in a stable document a typo must not pass silently."""
        unknown = sorted(str(k) for k in self.data if k not in allowed)
        if unknown and self.path:
            self._add("sp.unknown_keys", field=self.path, keys=", ".join(unknown))
        elif unknown:
            self._add("sp.unknown_fields", keys=", ".join(unknown))

    # -- typed reads ---------------------------------------------------------------------------
    def dec(
        self,
        name: str,
        *,
        required: bool = True,
        default: Decimal | None = None,
        minimum: Decimal | None = Decimal(0),
        positive: bool = False,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        value = self.data.get(name)
        if value is None:
            if required and default is None:
                self._add("sp.required", field=self._field(name))
            return default
        result = to_decimal(value)
        if result is None:
            self._add("sp.not_decimal", field=self._field(name), value=_show(value))
            return default
        if positive and result <= 0:
            self._add("sp.positive", field=self._field(name), value=result)
        elif minimum is not None and result < minimum:
            self._add("sp.negative", field=self._field(name), value=result)
        if maximum is not None and result > maximum:
            self._add("sp.too_big", field=self._field(name), value=result, maximum=maximum)
        return result

    def text(self, name: str, *, required: bool = True, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required and default is None:
                self._add("sp.required", field=self._field(name))
            return default
        if not isinstance(value, str):
            self._add("sp.not_text", field=self._field(name), value=_show(value))
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._add("sp.not_bool", field=self._field(name), value=_show(value))
            return default
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int = 1) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self._add("sp.required", field=self._field(name))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self._add("sp.not_int", field=self._field(name), value=_show(value), minimum=minimum)
            return None
        return value

    def choice(self, name: str, choices: Sequence[str], default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            if default is None:
                self._add("sp.required", field=self._field(name))
            return default
        if value not in choices:
            self._add("sp.choice", field=self._field(name), value=_show(value), choices=" / ".join(choices))
            return default
        return value

    def objects(self, name: str, *, required: bool = True, non_empty: bool = True) -> list[Reader]:
        """A list of objects, each returned as its own Reader (with an indexed path)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self._add("sp.required", field=self._field(name))
            return []
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            self._add("sp.not_list", field=self._field(name), value=_show(value))
            return []
        if non_empty and not value:
            self._add("sp.empty", field=self._field(name))
        readers = []
        for index, item in enumerate(value):
            reader = Reader(item, self.problems, self.where, f"{self._field(name)}[{index + 1}]")
            readers.append(reader)
            if not reader.ok:
                self.ok = False
        return readers

    def mapping(self, name: str, *, required: bool = True) -> Mapping[str, Any] | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self._add("sp.required", field=self._field(name))
            return None
        if not isinstance(value, Mapping):
            self._add("sp.not_object", field=self._field(name), value=_show(value))
            return None
        return value

    def decimal_map(self, name: str, *, required: bool = True, positive: bool = False) -> dict[str, Decimal] | None:
        """An object of name → Decimal (group weights, rank tables)."""
        value = self.mapping(name, required=required)
        if value is None:
            return None
        out: dict[str, Decimal] = {}
        for key, raw in value.items():
            result = to_decimal(raw)
            field_name = f"{self._field(name)}.{key}"
            if result is None:
                self._add("sp.not_decimal", field=field_name, value=_show(raw))
                continue
            if positive and result <= 0:
                self._add("sp.positive", field=field_name, value=result)
            elif result < 0:
                self._add("sp.negative", field=field_name, value=result)
            out[str(key)] = result
        if not out and value:
            return None
        if not value:
            self._add("sp.empty", field=self._field(name))
        return out

    def unique(self, readers: Sequence[Reader], key: str, what: str) -> None:
        seen: set[Any] = set()
        for reader in readers:
            value = reader.data.get(key)
            if value is None:
                continue
            if value in seen:
                self._add("sp.duplicate", field=self._field(what), value=_show(value))
            seen.add(value)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
