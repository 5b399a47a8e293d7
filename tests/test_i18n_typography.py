"""The French and Spanish catalogues read as a port authority's own documents: French typography (the
non-breaking spaces that keep `: ; ? !` and « » on the line of their word), Spanish opening marks, no
punctuation glued in code around a translated string, and the words of docs/GLOSSARY.md.

To fix a failure in a catalogue, edit portmeet/translations/{fr,es}/LC_MESSAGES/messages.po: French wants
U+00A0 (no-break space) before `:` and after `n°`, U+202F (narrow no-break space) before `; ? !` and inside
« »; never an ordinary space there, never English quotes “ ”. `scripts/typeset_french.py` puts them in.
"""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
NBSP, NNBSP = "\u00a0", "\u202f"


def catalogue(language: str) -> list:
    with (ROOT / "portmeet" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return [message for message in read_po(file) if message.id]


def translations(language: str):
    """(English message, one translated form) for every form of every message."""
    for message in catalogue(language):
        english = message.id if isinstance(message.id, str) else message.id[0]
        if message.context:
            english = f"{message.context}|{english}"
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for text in forms:
            if text:
                yield english, text


def french_typography_errors(text: str) -> list[str]:
    """What a French typesetter would correct in `text`, each as a short description."""
    errors = []
    for index, mark in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if mark == ":":
            if before.isalnum() and (after.isalnum() or after == "/"):
                continue  # HH:MM, 10:30, https://: not punctuation
            if before != NBSP:
                errors.append(f"U+00A0 wanted before ':' at {index}")
        elif mark in ";?!":
            if before != NNBSP:
                errors.append(f"U+202F wanted before '{mark}' at {index}")
        elif mark == "«" and after != NNBSP:
            errors.append(f"U+202F wanted after '«' at {index}")
        elif mark == "»" and before != NNBSP:
            errors.append(f"U+202F wanted before '»' at {index}")
        elif mark in "“”":
            errors.append(f"English quote {mark} at {index}: « » in French")
    for match in re.finditer("n°(.)", text):
        if match.group(1) != NBSP:
            errors.append(f"U+00A0 wanted after 'n°' at {match.start()}")
    return errors


def spanish_typography_errors(text: str) -> list[str]:
    errors = [f"no space before '{m.group(1)}' at {m.start()}" for m in re.finditer(r"\s([:;?!])", text)]
    for opening, closing in (("¿", "?"), ("¡", "!")):
        if text.count(opening) != text.count(closing):
            errors.append(f"every '{closing}' opens with '{opening}'")
    return errors


def test_the_typography_check_knows_right_from_wrong():
    assert french_typography_errors(f"Lieu{NBSP}: %(venue)s{NNBSP}; «{NNBSP}Port{NNBSP}» n°{NBSP}3{NNBSP}?") == []
    assert french_typography_errors("Saisissez une heure (HH:MM), https://port.example.") == []
    assert len(french_typography_errors("Lieu : port ; « Port » ? !")) == 6
    assert french_typography_errors("Lieu: port") and french_typography_errors(f"Lieu{NNBSP}: port")
    assert french_typography_errors("n° 3") and french_typography_errors("pour “Port”")
    assert spanish_typography_errors("¿Ya está inscrito? Sede: Bilbao.") == []
    assert spanish_typography_errors("Ya está inscrito ?") and spanish_typography_errors("Sede : Bilbao")


def test_french_catalogue_keeps_punctuation_on_the_line_of_its_word():
    wrong = {english: (text, errors) for english, text in translations("fr")
             if (errors := french_typography_errors(text))}
    assert not wrong, (f"{len(wrong)} French translations break French typography (`.venv/bin/python "
                       f"scripts/typeset_french.py` fixes the spaces and quotes): {wrong}")


def test_spanish_catalogue_opens_its_questions_and_exclamations():
    wrong = {english: (text, errors) for english, text in translations("es")
             if (errors := spanish_typography_errors(text))}
    assert not wrong, f"{len(wrong)} Spanish translations: {wrong}"


# --- punctuation belongs in the translatable strings, not in the code around them ------------------

TRANSLATION_CALL = re.compile(r"\b(?:_|gettext|ngettext|pgettext|npgettext)\(")
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
CLOSING_TAGS = re.compile(r"^(?:\s|</\w+>)*")
JOINED_PUNCTUATION = re.compile(r"""[~+]\s*(["'])\s*[:;?!]|(["'])[:;?!]\s*\2\s*[~+]""")
QUOTED_VALUE = re.compile(r"[“”«»]\{|\}[“”«»]")
COLON_BETWEEN_VALUES = re.compile(r"""["'][^"'\n]*\}: \{[^"'\n]*["']""")
# English-only command-line messages (never shown in French or Spanish).
ENGLISH_ONLY = {"portmeet/backup.py", "portmeet/cli.py"}


def template_problems(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    problems = []
    for match in EXPRESSION.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        following = CLOSING_TAGS.sub("", source[match.end():match.end() + 40])
        preceding = source[max(match.start() - 1, 0):match.start()]
        if TRANSLATION_CALL.search(match.group(1)) and following[:1] in (":", ";", "?", "!"):
            problems.append(f"line {line}: '{following[:1]}' after a translated string")
        if preceding in ("“", "«") or source[match.end():match.end() + 1] in ("”", "»"):
            problems.append(f"line {line}: quotes around a value, outside the translated sentence")
    for match in JOINED_PUNCTUATION.finditer(source):
        problems.append(f"line {source.count(chr(10), 0, match.start()) + 1}: punctuation joined to a translated string")
    return problems


def python_problems(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    problems = []
    for number, line in enumerate(source.splitlines(), 1):
        if JOINED_PUNCTUATION.search(line) and TRANSLATION_CALL.search(line):
            problems.append(f"line {number}: punctuation joined to a translated string")
        if QUOTED_VALUE.search(line) and "_(" not in line:
            problems.append(f"line {number}: quotes around a value, outside a translated string")
        if COLON_BETWEEN_VALUES.search(line):
            problems.append(f"line {number}: ': ' between two values, outside a translated string")
    return problems


def test_punctuation_around_translated_text_is_part_of_the_translation():
    """`{{ _("Meeting point") }}: …`, `_("Manifest") ~ ": "`, `f"{title}: {text}"`, `“{{ title }}”`: in French the
    colon wants its space and the quotes are « »; only a translatable string can carry them."""
    problems = {}
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt") and (found := template_problems(path)):
            problems[str(path.relative_to(ROOT))] = found
    for path in sorted((ROOT / "portmeet").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name not in ENGLISH_ONLY and (found := python_problems(path)):
            problems[name] = found
    assert not problems, f"punctuation outside the translatable strings: {problems}"


def test_the_punctuation_scan_finds_what_it_is_for(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{{ _("Meeting point") }}: x\n<p>“{{ visit.title }}”</p>\n{% set h = _("A") ~ ": " ~ t %}\n'
                    '<b>{{ _("Full") }}</b>: y\n', encoding="utf-8")
    assert len(template_problems(page)) == 4
    code = tmp_path / "code.py"
    code.write_text('subject = f"{meeting.title}: {text}"\ntitles = f"“{visit.title}”"\n', encoding="utf-8")
    assert len(python_problems(code)) == 2


# --- the glossary: one word per concept --------------------------------------------------------------

GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
STOPWORDS = {"des", "del", "les", "los", "las", "une", "the"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def plain(text: str) -> str:
    """Lower case, without accents, one kind of apostrophe, no placeholders: what word matching needs."""
    import unicodedata

    text = PLACEHOLDER.sub(" ", text).replace("’", "'").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def glossary() -> list[dict]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("English", "---"):
            continue
        english, fr, es, not_fr, not_es, checked = cells
        rows.append({"en": english, "fr": fr, "es": es, "checked": checked == "all",
                     "not": {"fr": [w.strip() for w in not_fr.split(",") if w.strip()],
                             "es": [w.strip() for w in not_es.split(",") if w.strip()]}})
    # A longer term first, and blanked out once found: "host organisation" is not also a "host".
    return sorted(rows, key=lambda row: (-len(row["en"]), "-" not in row["en"]))


def english_pattern(term: str) -> re.Pattern:
    """The term in an English message, with its plural or verb forms; a space also matches a hyphen."""
    words = [re.escape(word) + r"(?:s|es|ed|d|ing)?" for word in re.split(r" ", plain(term))]
    return re.compile(r"\b" + r"[ -]".join(words) + r"\b")


def has_term(translation: str, term: str) -> bool:
    """Every meaningful word of `term` begins a word of the translation (plural and feminine forms count)."""
    words = [w for w in re.findall(r"[a-z]+", plain(term)) if len(w) > 2 and w not in STOPWORDS]
    stems = [w[:-2] if len(w) > 6 else w[:-1] if len(w) > 4 else w for w in words]  # registrar: registre
    return all(re.search(r"\b" + re.escape(stem), translation) for stem in stems)


def has_word(translation: str, word: str) -> bool:
    """The rejected word, or its plural; a rejected phrase exactly ("mostrador de acreditación", not "…acreditaciones")."""
    plural = "" if " " in word else r"(?:s|es)?"
    return re.search(r"\b" + re.escape(plain(word)) + plural + r"\b", translation) is not None


def glossary_problems(language: str) -> list[tuple[str, str, str]]:
    rows = [(row, english_pattern(row["en"])) for row in glossary()]
    problems = []
    for english, text in translations(language):
        english = plain(english.split("|", 1)[-1])
        translation = plain(text)
        for row, pattern in rows:
            if not pattern.search(english):
                continue
            english = pattern.sub(" ", english)
            if row["checked"] and not has_term(translation, row[language]):
                problems.append((row["en"], f"wants “{row[language]}”", text))
            problems += [(row["en"], f"not “{word}”", text) for word in row["not"][language] if has_word(translation, word)]
    return problems


def test_the_glossary_is_read_whole():
    rows = {row["en"]: row for row in glossary()}
    assert len(rows) >= 20 and rows["meeting"]["fr"] == "rencontre" and rows["pick"]["not"]["es"][0] == "elección"
    assert not rows["pick"]["checked"] and rows["port security"]["checked"]
    assert english_pattern("field visit").search(plain("Field-visit manifests"))
    assert has_term(plain("Les Rencontres portuaires"), "rencontre") and not has_term(plain("La réunion"), "rencontre")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_catalogue_speaks_the_glossary(language):
    problems = glossary_problems(language)
    assert not problems, (f"{language}: {len(problems)} translations leave docs/GLOSSARY.md (use its words; "
                          f"e.g. rencontre/encuentro for meeting, visite technique/visita técnica): {problems}")


def test_the_typesetting_script_gives_what_the_check_wants():
    import importlib.util

    spec = importlib.util.spec_from_file_location("typeset_french", ROOT / "scripts" / "typeset_french.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    raw = "Lieu : port ; “Port” n° 3 ? Ouvrez https://port.example à 10:30 !"
    assert french_typography_errors(raw) and french_typography_errors(script.typeset(raw)) == []
    assert script.typeset(script.typeset(raw)) == script.typeset(raw)
