"""Modules that share the session's stack (conftest.py) must not type the same contact.

The bot refers a contact once ("hooguit één keer doorverwijzen"), across conversations. Two modules on
the one shared stack that both finish an intake with the same phone number or e-mail address pass or
fail depending on which runs first, and pytest-xdist changes that order from run to run: the widget
test and the thin-conversation test once shared 06 12345678 and failed CI that way. This reads the
test files, so it fails before any server starts.
"""
import re
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PHONE = re.compile(r"(?<![\d+])(?:\+31[ -]?|0)6[ -]?(?:\d[ -]?){8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@example\.(?:org|com|nl)")


def uses_the_shared_stack(text: str) -> bool:
    takes_it = re.search(r"^(?:async )?def \w+\([^)]*\bstack\b", text, re.M)
    return bool(takes_it) and not re.search(r"^def stack\(", text, re.M)


def contacts(text: str) -> set:
    phones = {"06" + re.sub(r"\D", "", p)[-8:] for p in PHONE.findall(text)}
    return phones | {e.lower() for e in EMAIL.findall(text)}


def test_no_two_modules_on_the_shared_stack_use_the_same_contact():
    owners = defaultdict(set)
    for path in sorted(TESTS.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if uses_the_shared_stack(text):
            for contact in contacts(text):
                owners[contact].add(path.name)
    shared = {c: sorted(m) for c, m in owners.items() if len(m) > 1}
    assert shared == {}, f"give each module its own contacts: {shared}"


def test_the_check_sees_phone_numbers_in_every_spelling():
    assert contacts('say("06 12345678"); say("0612345678"); x = "+31 6 1234 5678"; y = "noor@example.org"') == {
        "0612345678", "noor@example.org"}
    assert uses_the_shared_stack("def test_x(stack, tmp_path):\n    pass\n")
    assert not uses_the_shared_stack("def stack(pg_stack):\n    return pg_stack\ndef test_x(stack):\n    pass\n")
