"""Reading printed documents back in tests: text, fonts, glyphs and word boxes of a PDF."""
import io
import re
import subprocess
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader

MM = 72 / 25.4  # PDF points per millimetre
NAMES_IN_SCRIPTS = [  # (first name, last name, country) as delegates type them
    ("Ελένη", "Παπαδοπούλου", "GR"),
    ("שרה", "כהן", "IL"),
    ("فاطمة", "الزهراء", "MA"),
    ("Дмитрий", "Иванов", "UA"),
    ("José Ignacio", "Núñez de Arce", "ES"),
    ("Zoë", "Ødegård-Łukaszewicz", "NO"),
]


def manager_client(client, make_user, meeting):
    """A client signed in as a host of `meeting`."""
    make_user(email="host@example.org", hosts=(meeting,))
    client.login("host@example.org")
    return client


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(reader: PdfReader) -> str:
    """All the text, in logical order (pypdf puts right-to-left runs back in reading order)."""
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def _embedded(font) -> bool:
    font = font.get_object()
    descendants = font.get("/DescendantFonts")
    descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def fonts_by_text(reader: PdfReader) -> dict[str, set[str]]:
    """Each font's /BaseFont, with the characters pypdf decodes from the text it draws."""
    result: dict[str, set[str]] = {}
    for page in reader.pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: result.setdefault(
            str(font["/BaseFont"]) if font else "", set()).update(nfc(text)))
    return result


def missing_glyphs(reader: PdfReader) -> set[str]:
    """The characters drawn as .notdef (glyph 0: the empty box, or tofu, printed when no font has them).
    WeasyPrint writes each font's own encoding CMap listing only the codes it draws, mapped to glyphs."""
    missing = set()
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            encoding = font.get("/Encoding")
            if encoding is None or not hasattr(encoding.get_object(), "get_data"):
                continue  # a predefined encoding (Identity-H) is checked by the text test instead
            cmap = encoding.get_object().get_data().decode("latin-1")
            notdef = {int(code, 16) for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", cmap) if cid == "0"}
            notdef |= {int(first, 16) for first, _last, cid in
                       re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)", cmap) if cid == "0"}
            unicode = _to_unicode(font)
            missing |= {unicode.get(code, f"<code {code:#x}>") for code in notdef}
    return missing


def _to_unicode(font) -> dict[int, str]:
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    text = stream.get_object().get_data().decode("latin-1")
    return {int(code, 16): bytes.fromhex(chars).decode("utf-16-be")
            for code, chars in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", text)
            if len(chars) % 4 == 0}


def page_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font of every page: /BaseFont → whether the font program is embedded."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = _embedded(font)
    return fonts


@dataclass
class Word:
    page: int
    text: str
    x_min: float  # points from the left edge
    y_min: float  # points from the top edge
    x_max: float
    y_max: float


def word_boxes(pdf: bytes) -> list[Word]:
    """Each word's bounding box on its page, as poppler's pdftotext measures it from the drawn glyphs."""
    from xml.etree import ElementTree

    xhtml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    root = ElementTree.fromstring(xhtml)
    words = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            words.append(Word(number, word.text or "", *(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))))
    return words
