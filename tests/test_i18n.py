"""The English catalogue: complete, placeholder-safe, compiled without gettext, and used by the pages.

The .mo files are build output (scripts/compile_messages.py, run at set-up); this module compiles
them itself when they are missing or older than their .po.
"""

import ast
import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.roles import Role
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
COMPILER = ROOT / "scripts" / "compile_messages.py"
EN_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")

# Python %-placeholders as Django uses them: %(name)s, %s, %d, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")


def _compile_if_needed():
    stale = [po for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po")
             if not po.with_suffix(".mo").exists()
             or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if not stale:
        return
    subprocess.run([sys.executable, str(COMPILER), "-q"], check=True, cwd=ROOT)
    # Forget catalogues Django may already have loaded in this process without the .mo.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    _compile_if_needed()
    assert EN_MO.exists()


def parse_po(path: Path) -> list[dict]:
    """A small .po reader, independent of the compiler: one dict per entry, header included."""
    entries, entry, field = [], None, None

    def start():
        return {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry["msgid"] is not None and entry["msgstr"]:
                entries.append(entry)
                entry = None
            entry = entry or start()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
            continue
        keyword, _, rest = line.partition(" ")
        text = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and entry is not None and entry["msgstr"]:
            entries.append(entry)
            entry = None
        entry = entry or start()
        if keyword.startswith("msgstr"):
            field = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry["msgstr"][field] = text
        else:
            field = keyword
            entry[keyword] = text
    if entry is not None and entry["msgid"] is not None:
        entries.append(entry)
    return entries


ENTRIES = parse_po(EN_PO)
MESSAGES = [e for e in ENTRIES if e["msgid"]]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_catalogue_has_messages_and_an_english_header():
    header = next(e for e in ENTRIES if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(MESSAGES) > 500


def test_every_message_is_translated_and_not_fuzzy():
    untranslated = [e["msgid"] for e in MESSAGES if not all(s.strip() for s in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in MESSAGES if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_plural_entries_have_both_english_forms():
    for e in MESSAGES:
        if e["msgid_plural"] is not None:
            assert sorted(e["msgstr"]) == [0, 1], e["msgid"]


def test_placeholders_match_between_msgid_and_msgstr():
    wrong = []
    for e in MESSAGES:
        sources = [e["msgid"]] if e["msgid_plural"] is None else [e["msgid"], e["msgid_plural"]]
        for index, translation in e["msgstr"].items():
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(source) != _placeholders(translation):
                wrong.append((source, translation))
    assert not wrong, wrong[:5]


def test_translations_read_as_english():
    # Chinese may stay only where it is data the user must type or recognise (the Excel values,
    # the native name of the language in the picker).
    allowed = {"简体中文", "免扣", "自行查处", "自查自纠", "联办", "主办"}
    leftovers = []
    for e in MESSAGES:
        for translation in e["msgstr"].values():
            if set(CJK.findall(translation)) - allowed:
                leftovers.append((e["msgid"], translation))
    assert not leftovers, leftovers[:5]


def test_the_compiled_catalogue_matches_the_po():
    with EN_MO.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)
    assert catalog.info()["language"] == "en"
    for e in MESSAGES:
        if e["msgid_plural"] is None:
            got = (catalog.pgettext(e["msgctxt"], e["msgid"]) if e["msgctxt"] is not None
                   else catalog.gettext(e["msgid"]))
            assert got == e["msgstr"][0]
        else:
            for n, index in ((1, 0), (2, 1)):
                got = catalog.ngettext(e["msgid"], e["msgid_plural"], n)
                assert got == e["msgstr"][index]


def test_the_compiler_handles_context_plurals_escapes_and_fuzzy(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgctxt "verb"\nmsgid "开"\nmsgstr "Open"\n\n'
        'msgctxt "adjective"\nmsgid "开"\nmsgstr "Opened"\n\n'
        'msgid "一\\t二 \\"三\\" \\\\\\n"\n"四"\nmsgstr "one\\ttwo \\"three\\" \\\\\\n"\n"four"\n\n'
        '#, fuzzy\nmsgid "模糊"\nmsgstr "Fuzzy"\n\n'
        'msgid "空"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "%(n)s 个"\nmsgid_plural "%(n)s 个"\nmsgstr[0] "%(n)s item"\nmsgstr[1] "%(n)s items"\n\n'
        '#~ msgid "旧"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    subprocess.run([sys.executable, str(COMPILER), "-q", str(po)], check=True)
    with po.with_suffix(".mo").open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)
    assert catalog.pgettext("verb", "开") == "Open"
    assert catalog.pgettext("adjective", "开") == "Opened"
    assert catalog.gettext('一\t二 "三" \\\n四') == 'one\ttwo "three" \\\nfour'
    assert catalog.gettext("模糊") == "模糊"
    assert catalog.gettext("空") == "空"
    assert catalog.gettext("旧") == "旧"
    assert catalog.ngettext("%(n)s 个", "%(n)s 个", 1) == "%(n)s item"
    assert catalog.ngettext("%(n)s 个", "%(n)s 个", 5) == "%(n)s items"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.smoke
def test_login_page_in_english(client, db):
    page = _english(client).get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in to the evaluation system" in page
    assert ">Log in</button>" in page
    assert "Username" in page and "Password" in page
    assert "登录考评系统" not in page


def test_tenant_home_in_english(client, db):
    tenant = factories.make_tenant("tenant-en", "甲市效能办")
    member = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("alice-en"))
    factories.make_campaign(tenant)
    client.force_login(member.user)
    page = _english(client).get(f"/t/{tenant.slug}/").content.decode()
    assert 'lang="en"' in page
    assert "Your role: Efficiency office administrator" in page
    assert "Evaluation schemes" in page
    assert "Log out" in page and "Change password" in page
    assert "您的角色" not in page and "退出" not in page


def test_switching_to_english_through_the_selector(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    assert "Log in to the evaluation system" in response.content.decode()
