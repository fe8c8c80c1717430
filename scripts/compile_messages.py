#!/usr/bin/env python3
"""Compile every locale/*/LC_MESSAGES/*.po into the .mo file Django reads, with the standard library only.

The compiled catalogues are build output (not committed), so set-up runs this script; it needs neither
Django nor GNU gettext. The algorithm follows CPython's Tools/i18n/msgfmt.py: parse the catalogue,
drop fuzzy and untranslated entries and the obsolete ("#~") ones, key context entries as
"context\\x04msgid" and plural entries as "msgid\\0msgid_plural" with their forms joined by "\\0",
then write the GNU .mo layout (little-endian, sorted keys, no hash table).

Usage: scripts/compile_messages.py [-q] [PO_FILE_OR_LOCALE_DIR ...]   (default: the project's locale/)
"""

from __future__ import annotations

import array
import os
import re
import struct
import sys
import tempfile
from email.parser import HeaderParser
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
MAGIC = 0x950412DE

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"', "'": "'", "?": "?"}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.DOTALL)


class PoError(ValueError):
    pass


def _unquote(token: str, where: str) -> str:
    """Turn one quoted C string from a .po line into its text, resolving the escapes."""
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise PoError(f"{where}: expected a quoted string, got {token!r}")
    body = token[1:-1]

    def replace(match: re.Match) -> str:
        esc = match.group(1)
        if esc[0] == "x" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        if esc[0] in "01234567":
            return chr(int(esc, 8))
        if esc in _ESCAPES:
            return _ESCAPES[esc]
        raise PoError(f"{where}: unknown escape \\{esc}")

    return _ESCAPE_RE.sub(replace, body)


def parse_po(path: Path) -> dict[bytes, bytes]:
    """Return the catalogue as {key: translation} in bytes, encoded in the file's charset."""
    raw = path.read_bytes()
    encoding = "utf-8"  # until the header says otherwise; .po files here are UTF-8 anyway
    messages: dict[bytes, bytes] = {}

    # The current entry.
    ctxt: str | None = None
    msgid: str | None = None
    plural: str | None = None
    strs: dict[int, str] = {}
    fuzzy = False
    section: tuple[str, int] | None = None  # ("ctxt"|"id"|"plural"|"str", index)

    def flush() -> None:
        nonlocal ctxt, msgid, plural, strs, fuzzy, section, encoding
        if msgid is not None and not fuzzy:
            if plural is not None:
                forms = [strs.get(i, "") for i in range(max(strs) + 1)] if strs else []
                key_text = msgid + "\0" + plural
                value_text = "\0".join(forms) if any(forms) else ""
            else:
                key_text = msgid
                value_text = strs.get(0, "")
            if msgid == "" and ctxt is None and value_text:
                headers = HeaderParser().parsestr(value_text)
                charset = headers.get_content_charset()
                if charset:
                    encoding = charset
            if value_text:
                key = key_text.encode(encoding)
                if ctxt is not None:
                    key = ctxt.encode(encoding) + b"\x04" + key
                messages[key] = value_text.encode(encoding)
        ctxt = msgid = plural = None
        strs = {}
        fuzzy = False
        section = None

    text = raw.decode("utf-8")
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{lineno}"
        line = line.strip()
        if line.startswith("#~"):  # obsolete entry
            continue
        if line.startswith("#"):
            if section is not None and section[0] == "str":
                flush()
            if line.startswith("#,") and "fuzzy" in [f.strip() for f in line[2:].split(",")]:
                fuzzy = True
            continue
        if not line:
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if section is None:
                raise PoError(f"{where}: continuation line outside an entry")
            piece = _unquote(line, where)
            kind, index = section
            if kind == "ctxt":
                ctxt = (ctxt or "") + piece
            elif kind == "id":
                msgid = (msgid or "") + piece
            elif kind == "plural":
                plural = (plural or "") + piece
            else:
                strs[index] = strs.get(index, "") + piece
            continue
        if keyword == "msgctxt":
            if section is not None and section[0] == "str":
                flush()
            ctxt, section = _unquote(rest, where), ("ctxt", 0)
        elif keyword == "msgid":
            if section is not None and section[0] == "str":
                flush()
            msgid, section = _unquote(rest, where), ("id", 0)
        elif keyword == "msgid_plural":
            if section is None or section[0] != "id":
                raise PoError(f"{where}: msgid_plural without msgid")
            plural, section = _unquote(rest, where), ("plural", 0)
        elif keyword == "msgstr":
            if plural is not None:
                raise PoError(f"{where}: plural entry needs msgstr[N]")
            strs[0], section = _unquote(rest, where), ("str", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            if plural is None:
                raise PoError(f"{where}: msgstr[N] without msgid_plural")
            try:
                index = int(keyword[len("msgstr["):-1])
            except ValueError:
                raise PoError(f"{where}: bad plural index {keyword}") from None
            strs[index], section = _unquote(rest, where), ("str", index)
        else:
            raise PoError(f"{where}: unexpected line {line!r}")
    flush()
    return messages


def build_mo(messages: dict[bytes, bytes]) -> bytes:
    """The GNU .mo layout: header, key table, value table, then the strings (each NUL-terminated)."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)  # header plus both tables
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack(
        "<Iiiiiii",
        MAGIC,
        0,  # revision
        len(keys),
        7 * 4,  # start of the key table
        7 * 4 + len(keys) * 8,  # start of the value table
        0, 0,  # size and offset of the hash table (none)
    )
    table = array.array("i", koffsets + voffsets)
    if sys.byteorder != "little":
        table.byteswap()
    return output + table.tobytes() + ids + strs


def compile_po(po: Path) -> Path:
    mo = po.with_suffix(".mo")
    data = build_mo(parse_po(po))
    if mo.exists() and mo.read_bytes() == data:
        return mo
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".", suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, mo)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return mo


def find_po_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_dir():
            found += sorted(target.glob("*/LC_MESSAGES/*.po"))
        elif target.suffix == ".po" and target.is_file():
            found.append(target)
        else:
            raise SystemExit(f"compile_messages: no such .po file or locale folder: {target}")
    return found


def main(argv: list[str]) -> int:
    quiet = "-q" in argv
    targets = [Path(a) for a in argv if a != "-q"] or [LOCALE_DIR]
    po_files = find_po_files(targets)
    for po in po_files:
        try:
            mo = compile_po(po)
        except PoError as exc:
            print(f"compile_messages: {exc}", file=sys.stderr)
            return 1
        if not quiet:
            print(f"compiled {po} -> {mo.name}")
    if not po_files and not quiet:
        print("compile_messages: no .po files found")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
