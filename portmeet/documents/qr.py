"""QR codes on printed documents: an `<img>` whose `qr:` URL the PDF renderer turns into the code's image.

The image is made where the PDF is laid out (in the renderer processes of a long document, side by side),
not while the HTML is written: encoding a code is the slowest step of a badge after the layout itself.
"""
from __future__ import annotations

import struct
import zlib
from urllib.parse import quote, unquote

import segno
from markupsafe import Markup

QR_SCHEME = "qr:"
# The mask is fixed: choosing the best of eight costs 7 ms a code in pure Python, and scanners read any mask.
QR_MASK = 2
# A module's value (1 dark, 0 light) to a grey level: black on white.
_GREY = bytes([255, 0]) + bytes(254)


def qr_image(text: str) -> Markup:
    """An image of the QR code of `text`, one pixel per module, scaled up by the print CSS without smoothing
    (`image-rendering: pixelated`): as sharp as vector art, and laid out far faster than the hundreds of
    path segments of an SVG code."""
    return Markup('<img class="qr" alt="" src="{}">').format(QR_SCHEME + quote(text, safe=""))


def qr_png(url: str) -> bytes:
    """The PNG of a `qr:` URL's code: 8-bit grey, one pixel per module, no quiet zone (the layout leaves
    room around it). Grey rather than 1-bit, as the renderer would convert a 1-bit image first."""
    matrix = segno.make(unquote(url.removeprefix(QR_SCHEME)), micro=False, mask=QR_MASK).matrix
    size = len(matrix)
    rows = b"".join(b"\0" + bytes(row).translate(_GREY) for row in matrix)  # filter type 0 before each row
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", struct.pack("!IIBBBBB", size, size, 8, 0, 0, 0, 0)),
                     _chunk(b"IDAT", zlib.compress(rows)), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
