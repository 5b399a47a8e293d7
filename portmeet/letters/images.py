"""Letterhead images (logo, signature): PNG or JPEG up to 1 MB, checked and re-encoded with Pillow."""
from __future__ import annotations

import base64
import warnings
from io import BytesIO

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from portmeet import uploads

MAX_IMAGE_BYTES = 1 * uploads.MB
MAX_PIXELS = 4000 * 4000  # a small file may still claim a huge canvas (a decompression bomb)
FORMATS = {"PNG", "JPEG"}


class ImageError(ValueError):
    """The upload is not an image we accept; the message says why."""


def clean_image(data: bytes) -> bytes:
    """The image re-encoded as a fresh PNG: only its pixels survive (no metadata, no trailing bytes, no
    second file hidden behind the first). Raises ImageError for anything but a sound PNG or JPEG ≤ 1 MB."""
    if not data:
        raise ImageError(_("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(_("The image is too large: at most 1 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise ImageError(_("Upload a PNG or JPEG image."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageError(_("The image is too large: at most 4000 × 4000 pixels."))
                probe.verify()  # checks the file's structure and checksums; the object is unusable after
            with Image.open(BytesIO(data)) as image:
                image.load()  # decodes every pixel: a truncated file fails here
                image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
                out = BytesIO()
                image.save(out, format="PNG", optimize=True)
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ImageError(_("This file is not a PNG or JPEG image we can read.")) from None
    return out.getvalue()


def data_uri(name: str | None) -> str | None:
    """A stored image as a data: URI, for a PDF (the PDF helper's fetcher opens data: URIs only)."""
    data = uploads.read(name)
    if data is None:
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
