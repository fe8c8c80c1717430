"""Evidence files (佐证材料): checked by content, size-limited, stored under a random name.

The type is decided by the bytes, never by the name or the browser's claim: a file whose
content is not what its name says is refused with a message naming both.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.models import Evidence

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> (kind detected from content, MIME type served back)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
    "docx": ("ooxml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ooxml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "doc": ("ole2", "application/msword"),
    "xls": ("ole2", "application/vnd.ms-excel"),
    "ppt": ("ole2", "application/vnd.ms-powerpoint"),
}
KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "ooxml": "Office (docx/xlsx/pptx)", "ole2": "Office 97-2003"}
# the part of an OOXML package that tells which Office document it is
OOXML_MAIN = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


class EvidenceError(ValueError):
    """An upload that is refused; the message says why, in the user's language."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str


def _detect(content: bytes) -> str | None:
    if content.startswith(OLE2_MAGIC):
        return "ole2"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            return "ooxml"
        return "zip"
    kind = filetype.guess(content)
    if kind is None:
        return None
    return {"pdf": "pdf", "jpg": "jpeg", "png": "png"}.get(kind.extension, kind.extension)


def _ooxml_matches(content: bytes, extension: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return any(name.startswith(OOXML_MAIN[extension]) for name in archive.namelist())


def evidence_check(*, name: str, content: bytes) -> CheckedFile:
    """The file if its content is an allowed type and agrees with its name, else EvidenceError."""
    limit = settings.FILE_UPLOAD_MAX_BYTES
    clean_name = PurePath(name.replace("\\", "/")).name[:200] or "file"
    if len(content) == 0:
        raise EvidenceError(_("文件“%(name)s”是空文件。") % {"name": clean_name})
    if len(content) > limit:
        raise EvidenceError(
            _("文件“%(name)s”超过大小上限 %(mb)s MB。") % {"name": clean_name, "mb": limit // (1024 * 1024) or 1}
        )
    extension = PurePath(clean_name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise EvidenceError(
            _("文件“%(name)s”的类型不允许:只接受 PDF、图片(JPEG/PNG)和 Office 文档。") % {"name": clean_name}
        )
    expected, content_type = ALLOWED[extension]
    detected = _detect(content)
    matches = detected == expected and (expected != "ooxml" or _ooxml_matches(content, extension))
    if not matches:
        raise EvidenceError(
            _("文件“%(name)s”的内容不是 %(expected)s 文件(名称与内容不符),已拒收。")
            % {"name": clean_name, "expected": KIND_LABELS[expected]}
        )
    return CheckedFile(clean_name, content, content_type, hashlib.sha256(content).hexdigest())


def evidence_read(upload) -> CheckedFile:
    """Read an uploaded file (at most one byte past the limit, so a huge file is not slurped)."""
    content = upload.read(settings.FILE_UPLOAD_MAX_BYTES + 1)
    return evidence_check(name=upload.name or "", content=content)


def storage_name(prefix: str, original: str) -> str:
    """A random stored name that keeps only the (checked) extension."""
    extension = PurePath(original).suffix.lower()
    return f"{prefix}/{secrets.token_hex(16)}{extension}"


@transaction.atomic
def evidence_attach(
    *, checked: CheckedFile, campaign, unit, uploaded_by, self_assessment=None, ledger_entry=None, appeal=None
) -> Evidence:
    evidence = Evidence(
        tenant_id=campaign.tenant_id,
        campaign=campaign,
        unit=unit,
        self_assessment=self_assessment,
        ledger_entry=ledger_entry,
        appeal=appeal,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=uploaded_by,
    )
    evidence.file.save(storage_name(f"evidence/{campaign.tenant_id}", checked.name), ContentFile(checked.content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence) -> None:
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))
