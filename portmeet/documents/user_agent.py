"""WeasyPrint's HTML user-agent stylesheet, restated so that each of its rules is looked up by tag.

WeasyPrint matches every element of a document against each user-agent selector whose subject is not a plain
tag (cssselect2 indexes selectors by id, class or tag, and tests the rest on every element). Its stylesheet has
24 such selectors, six of them universal pseudo-elements (::marker, ::footnote-call…) that give every element
six more styles to compute. For a thousand-row attendee list or a thousand badges that is 6-9 % of the
layout. Restated here (pages come out byte for byte the same: tests/test_print_user_agent.py):

- a subject `:is(ol, ul)` of plain tags becomes one selector per tag: the same elements, the same
  specificity (that of one tag);
- `::marker` applies to `li` only: the only element our print stylesheet lays out as a list item;
- `:link` and `:visited` to `a`: the only linking element our documents display;
- the footnote and note pseudo-elements go: our print stylesheet floats nothing into footnotes or notes;
- @counter-style rules go too: WeasyPrint reads its counter styles from its own stylesheet, not this one.
"""
from __future__ import annotations

import re

import tinycss2
from weasyprint import CSS, HTML
from weasyprint.html import UA

_TAGS = r"[a-z][a-z0-9]*(?:\s*,\s*[a-z][a-z0-9]*)*"
# A selector whose subject is `:is(` plain tags `)`, optionally followed by attribute selectors.
_SUBJECT_IS_TAGS = re.compile(rf"^(?P<prefix>.*?):is\((?P<tags>{_TAGS})\)(?P<attributes>(?:\[[^\]]*\])*)$")
_ONLY_ON = {"::marker": "li::marker", ":link": "a:link", ":visited": "a:visited"}
_NEVER_USED = re.compile(r"::(footnote|note)-[a-z]+")


def _selector_list(prelude: list) -> list[str]:
    """A rule's selectors, split at the commas outside brackets and parentheses."""
    selectors, depth, current = [], 0, []
    for char in tinycss2.serialize(prelude).strip():
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            selectors.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    return selectors + ["".join(current).strip()]


def _restated(selector: str) -> list[str]:
    if _NEVER_USED.fullmatch(selector):
        return []
    selector = _ONLY_ON.get(selector, selector)
    subject = _SUBJECT_IS_TAGS.match(selector)
    if subject is None:
        return [selector]
    return [subject["prefix"] + tag.strip() + subject["attributes"] for tag in subject["tags"].split(",")]


def print_user_agent_css(stylesheet: str = UA) -> str:
    """The user-agent stylesheet's text with its rules restated (see the module's docstring)."""
    rules = []
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "counter-style":
            continue
        if rule.type != "qualified-rule":
            rules.append(rule.serialize())
            continue
        selectors = [restated for selector in _selector_list(rule.prelude) for restated in _restated(selector)]
        if selectors:
            rules.append(f"{', '.join(selectors)} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(rules)


PRINT_USER_AGENT_STYLESHEET = CSS(string=print_user_agent_css())


class PrintHTML(HTML):
    """An HTML document laid out with the restated user-agent stylesheet. (`_ua_stylesheets` is WeasyPrint's
    own hook for it, not public API: the pinned WeasyPrint version and the sameness test keep it honest; a
    renamed hook would only lose the speed, never change a page.)"""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        if forms:  # PDF forms: never asked for by portmeet, left to WeasyPrint's own stylesheets
            return super()._ua_stylesheets(forms)
        return [PRINT_USER_AGENT_STYLESHEET]
