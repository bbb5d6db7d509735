"""What an idea's attachment may be: an image or a PDF, checked by content.

The name a browser sends and the content type it claims are both chosen by
the sender, so neither is trusted: the type comes from the file's first
bytes (filetype's magic numbers) and an image must also be decodable by
Pillow. The stored name gets the extension of the type found, so a file is
never served as something it is not.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

import filetype
from PIL import Image

from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_DESCRIPTION_LENGTH = 250

# content type -> (extension, Pillow format or None for a non-image)
ALLOWED_TYPES = {
    "image/png": ("png", "PNG"),
    "image/jpeg": ("jpg", "JPEG"),
    "image/gif": ("gif", "GIF"),
    "image/webp": ("webp", "WEBP"),
    "application/pdf": ("pdf", None),
}


def max_bytes() -> int:
    return getattr(settings, "IDEA_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass(frozen=True)
class Upload:
    """A file sent for an idea and what it shows, in the person's words: an
    image's description is its alternative text, required (a PDF's is
    optional). `field` and `description_field` name the form or API fields
    a refusal points at."""

    file: object
    description: str = ""
    field: str = "attachments"
    description_field: str = "attachment_descriptions"


@dataclass(frozen=True)
class CheckedFile:
    file: object
    name: str  # what the person called it, made safe to show
    content_type: str
    extension: str
    size: int
    description: str = ""


def refuse(message: str, field: str = "attachments") -> DomainError:
    return DomainError("invalid", message, fields={field: [message]})


def display_name(raw: str | None) -> str:
    base = os.path.basename((raw or "").replace("\\", "/")).strip()
    try:
        safe = get_valid_filename(base)
    except Exception:  # Django refuses names like "." or ".." with SuspiciousFileOperation
        safe = ""
    return (safe or "attachment")[:200]


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    return size


def check(sent: Upload) -> CheckedFile:
    """The upload with its real type and size, and its description (an
    image needs one), or a DomainError `invalid`."""
    upload = sent.file
    name = display_name(getattr(upload, "name", ""))
    size = _size_of(upload)
    limit = max_bytes()
    if size == 0:
        raise refuse(_("“%(name)s” is empty.") % {"name": name}, sent.field)
    if size > limit:
        raise refuse(
            _("“%(name)s” is too large (%(size)s): the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            sent.field,
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise refuse(_("“%(name)s” is not an image (PNG, JPEG, GIF, WebP) or a PDF.") % {"name": name}, sent.field)
    extension, pillow_format = ALLOWED_TYPES[kind.mime]
    if pillow_format is not None:
        _verify_image(upload, name, pillow_format, sent.field)
    checked = CheckedFile(
        file=upload,
        name=name,
        content_type=kind.mime,
        extension=extension,
        size=size,
        description=described(
            sent.description, name=name, is_image=pillow_format is not None, field=sent.description_field
        ),
    )
    return checked


def described(description: str | None, *, name: str, is_image: bool, field: str = "description") -> str:
    """A file's description on one line, or a DomainError `invalid`: an
    image needs one (its alternative text), of at most MAX_DESCRIPTION_LENGTH."""
    description = " ".join(strip_bidi(description or "").split())
    if is_image and not description:
        raise refuse(
            _("Describe the image “%(name)s” in a few words: people who cannot see it are told this description.")
            % {"name": name},
            field,
        )
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise refuse(
            _("The description of “%(name)s” has at most %(max)d characters (this one has %(length)d).")
            % {"name": name, "max": MAX_DESCRIPTION_LENGTH, "length": len(description)},
            field,
        )
    return description


def _verify_image(upload, name: str, pillow_format: str, field: str) -> None:
    try:
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, DecompressionBombError...)
        raise refuse(_("“%(name)s” is not a valid image.") % {"name": name}, field) from exc
    finally:
        upload.seek(0)
    if found != pillow_format:
        raise refuse(_("“%(name)s” is not a valid image.") % {"name": name}, field)


def check_all(uploads: list[Upload], *, already: int = 0) -> list[CheckedFile]:
    uploads = list(uploads)
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise refuse(_("An idea has at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS})
    return [check(upload) for upload in uploads]
