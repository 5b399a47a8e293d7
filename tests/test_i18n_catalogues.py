"""The French and Spanish catalogues translate every message the code holds right now, without fuzzy
entries, keeping every placeholder; a new untranslated string in the code fails this test.

To fix a failure: `make extract-messages`, translate the empty entries of
portmeet/translations/{fr,es}/LC_MESSAGES/messages.po, then `make translations`.
"""
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from portmeet.i18n import DEFAULT_LANGUAGE
from portmeet.i18n import LANGUAGES as OFFERED

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code in OFFERED if code != DEFAULT_LANGUAGE]  # English is the messages' own language
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def extraction_arguments() -> list[str]:
    """The `pybabel extract` options of `make extract-messages` (babel.cfg and keywords), so that this test
    checks exactly what the Makefile extracts."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    words = shlex.split(line.split("pybabel", 1)[1])
    keep, skip_next = [], False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in ("-o", "--output-file", "--project", "--copyright-holder"):
            skip_next = True  # the output goes to the test's own folder
        elif word != ".":
            keep.append(word)
    return keep


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> dict:
    """Every message in the source now, extracted into a temporary folder (not the committed .pot)."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", *extraction_arguments(), "-o", str(pot), str(ROOT)])
    with pot.open("rb") as file:
        catalog = read_po(file)
    # Keyed by context too: pgettext("booking status", "Booked") is not the manifest's "Booked".
    messages = {(message.context, key(message.id)): message for message in catalog if message.id}
    assert len(messages) > 300, "the extraction found too few messages; is babel.cfg read?"
    return messages


def catalogue(language: str):
    with (ROOT / "portmeet" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def forms(value) -> tuple:
    return value if isinstance(value, (tuple, list)) else (value,)


def key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_message_of_the_source(source_messages, language):
    translated = {(message.context, key(message.id)): message for message in catalogue(language) if message.id}
    wanted = list(source_messages)
    missing = [name for name in wanted if name not in translated]
    empty = [name for name in wanted if name in translated and not all(forms(translated[name].string))]
    fuzzy = [name for name in wanted if name in translated and translated[name].fuzzy]
    assert not missing, f"{language}: not in the catalogue (run `make extract-messages` and translate): {missing}"
    assert not empty, f"{language}: empty translations: {empty}"
    assert not fuzzy, f"{language}: fuzzy translations (check them and remove the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(language):
    wrong = []
    for message in catalogue(language):
        if not message.id or not all(forms(message.string)):
            continue
        originals = forms(message.id)
        # A plural's forms all carry the placeholders of the English plural (the count included).
        expected = placeholders(originals[-1])
        wrong += [(key(message.id), text) for text in forms(message.string) if placeholders(text) != expected]
    assert not wrong, f"{language}: placeholders differ from the English message: {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_plural_rules_of_its_language(language):
    catalog = catalogue(language)
    assert str(catalog.locale) == language
    assert catalog.num_plurals == get_plural(language).num_plurals
    assert not [(message.id, errors) for message, errors in catalog.check() if errors]


def test_extraction_keeps_the_context_of_words_with_several_roles(source_messages):
    """`make extract-messages` knows pgettext and lazy_pgettext: a manifest heading, a booking status and a
    table column each get their own entry, so each language can word them apart."""
    contexts = {context for context, message_id in source_messages if message_id in ("Booked", "Confirmed", "Host")}
    assert {"booking status", "registration status", "registration category, badge band", "account role"} <= contexts
    assert (None, "Booked") not in source_messages and (None, "Host") not in source_messages
