"""Put French typography into the French catalogue: U+00A0 before `:` and after `n°`, U+202F before `; ? !` and
inside « », « » instead of English quotes. Run it after translating new French strings:

    .venv/bin/python scripts/typeset_french.py

tests/test_i18n_typography.py checks the result. Words are never changed, only the spaces and quotes.
"""
import io
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "portmeet" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
NBSP, NNBSP = "\u00a0", "\u202f"
SPACES = "[ \u00a0\u202f]*"


def _colon(match: re.Match) -> str:
    text, index = match.string, match.start(1)
    after = text[index + 1:index + 2]
    if index and text[index - 1].isalnum() and (after.isalnum() or after == "/"):
        return match.group(0)  # 10:30, https://: not punctuation
    return NBSP + ":"


def typeset(text: str) -> str:
    text = text.replace("“", "«" + NNBSP).replace("”", NNBSP + "»")
    text = re.sub("«" + SPACES, "«" + NNBSP, text)
    text = re.sub(SPACES + "»", NNBSP + "»", text)
    text = re.sub(SPACES + "(:)", _colon, text)
    text = re.sub(SPACES + "([;?!])", lambda match: NNBSP + match.group(1), text)
    return re.sub("n°[ \u202f]?(?=\\S)", "n°" + NBSP, text)


def main() -> int:
    with CATALOGUE.open("rb") as file:
        catalog = read_po(file)
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        new = tuple(typeset(text) for text in forms)
        if new != tuple(forms):
            message.string = new if isinstance(message.string, (tuple, list)) else new[0]
            changed += 1
    output = io.BytesIO()
    write_po(output, catalog, ignore_obsolete=True, width=120)
    CATALOGUE.write_bytes(output.getvalue())
    print(f"{changed} French translations typeset in {CATALOGUE.relative_to(Path.cwd()) if CATALOGUE.is_relative_to(Path.cwd()) else CATALOGUE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
