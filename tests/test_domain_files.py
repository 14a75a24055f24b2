"""The domain is a folder of YAML files that Rasa merges; these checks catch what a merge hides.

Rasa merges `domain/*.yml` without complaint when two files define the same response or slot (one
silently wins), and a YAML anchor only reaches within its own file, so the `not_intent` lists of
intake.yml and verkennen.yml can drift apart. `rasa data validate --domain domain` (scripts/test.sh)
covers the rest. Read with Rasa's own YAML reader (ruamel), the one `rasa train` uses.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.ops.config import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "domain"
NAMED_KEYS = ("intents", "entities", "slots", "forms", "actions", "responses")


@pytest.fixture(scope="module")
def domain_files():
    from rasa.shared.utils.io import read_yaml_file

    files = sorted(DOMAIN_DIR.glob("*.yml"))
    assert files, "domain/ holds no YAML files"
    return {path.name: read_yaml_file(path) for path in files}


def _names(content: dict, key: str):
    value = content.get(key) or []
    return list(value) if isinstance(value, (list, dict)) else []


def test_nothing_is_defined_in_two_files(domain_files):
    seen: dict = {}
    twice = []
    for name, content in domain_files.items():
        for key in NAMED_KEYS:
            for item in _names(content, key):
                item = item if isinstance(item, str) else next(iter(item))
                if (key, item) in seen:
                    twice.append(f"{key}.{item}: {seen[(key, item)]} and {name}")
                seen[(key, item)] = name
    assert not twice, "defined in two domain files (Rasa keeps only one):\n" + "\n".join(twice)


def test_every_domain_file_is_read_by_rasa():
    from rasa.shared.core.domain import Domain

    skipped = [p.name for p in sorted(DOMAIN_DIR.glob("*.yml")) if not Domain.is_domain_file(p)]
    assert not skipped, f"Rasa would silently skip these files: {skipped}"
    domain = Domain.load(str(DOMAIN_DIR))
    assert "utter_greet" in domain.responses and "intake_form" in domain.forms
    assert domain.session_config.session_expiration_time == 60


def _text_mappings(domain_files):
    for name, content in domain_files.items():
        for slot, spec in (content.get("slots") or {}).items():
            mappings = spec.get("mappings") or []
            skippable = any(m.get("type") == "from_intent" and m.get("intent") == "skip" for m in mappings)
            # ja/nee that other mappings of the slot take (the preview's confirm) stay out of its free text
            answered = {m.get("intent") for m in mappings if m.get("type") in ("from_intent", "from_entity")
                        and m.get("intent") in ("affirm", "deny")}
            for mapping in mappings:
                if mapping.get("type") == "from_text":
                    yield f"{name}:{slot}", set(mapping.get("not_intent") or []) - answered, skippable


def test_every_free_text_slot_lets_the_same_interruptions_through(domain_files):
    found = list(_text_mappings(domain_files))
    assert len(found) >= 14, "expected the intake and exploration slots"
    interruptions = {"ask_why", "bot_challenge", "request_human", "stop", "delete_data"}
    for where, not_intent, skippable in found:
        # "sla over" must reach the from_intent mapping exactly where there is one
        expected = interruptions | ({"skip"} if skippable else set())
        assert not_intent == expected, f"{where}: not_intent {sorted(not_intent)}, expected {sorted(expected)}"


def test_interruption_intents_exist(domain_files):
    intents = {i for content in domain_files.values() for i in _names(content, "intents")}
    assert {"ask_why", "bot_challenge", "request_human", "stop", "delete_data", "skip"} <= intents


def test_facts_name_responses_that_exist(domain_files):
    import yaml

    facts = yaml.safe_load((PROJECT_ROOT / "content" / "facts.yml").read_text())["facts"]
    defined = {r for content in domain_files.values() for r in _names(content, "responses")}
    defined |= {a for content in domain_files.values() for a in _names(content, "actions")}
    named = {r for fact in facts for r in fact["responses"]}
    assert named <= defined, f"content/facts.yml names responses the domain lacks: {sorted(named - defined)}"


def test_the_readme_names_every_domain_file():
    """README's layout table is how a new developer finds an answer; a file it does not name is lost."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `domain/` |"))
    missing = [p.stem for p in sorted(DOMAIN_DIR.glob("*.yml")) if f"`{p.stem}`" not in row]
    assert missing == [], f"README's domain/ row does not name: {missing}"


# ---------------------------------------------------------------- English (issue 23, item 11)
# Responses that truly cannot have an English variation. Keep this list short and say why.
NO_ENGLISH = {
    # the whole text is "{promise}", made in Python (bot/handoff/promise.py); action_submit_intake
    # translates it with bot.conversation.english.to_english for people who write English
    "utter_lead_saved",
}
# English variations whose buttons differ from the Dutch one on purpose.
OTHER_BUTTONS = {
    # the plain variation is the short English answer for other languages (a counsellor, yes/no);
    # the English one answers "do you speak English?" with the topics
    "utter_other_language",
}
_PLACEHOLDER = __import__("re").compile(r"\{(\w+)\}")


def _is_english(variation) -> bool:
    return any(c.get("name") == "language" and c.get("value") == "en" for c in variation.get("condition") or [])


def _responses(domain_files):
    for name, content in domain_files.items():
        for response, variations in (content.get("responses") or {}).items():
            yield name, response, list(variations)


def test_every_response_has_an_english_variation(domain_files):
    """Without one, someone who writes English gets Dutch in the middle of an English conversation."""
    missing = [f"{name}: {response}" for name, response, variations in _responses(domain_files)
               if response not in NO_ENGLISH and not any(_is_english(v) for v in variations)]
    assert not missing, "responses without a `language: en` variation:\n" + "\n".join(missing)
    unknown = NO_ENGLISH - {response for _, response, _ in _responses(domain_files)}
    assert not unknown, f"NO_ENGLISH names responses that do not exist: {sorted(unknown)}"


def test_no_dutch_conditional_variation_reaches_an_english_speaker(domain_files):
    """Rasa picks at random among the conditional variations that match: a Dutch variation on another
    slot (asker_role, a region, minor_route) must also say `language: nl`, or English speakers get it."""
    loose = [f"{name}: {response} {v['condition']}" for name, response, variations in _responses(domain_files)
             for v in variations if v.get("condition")
             and not any(c.get("name") == "language" for c in v["condition"])]
    assert not loose, "conditional variations without a language condition:\n" + "\n".join(loose)


def test_english_variations_keep_placeholders_and_button_payloads(domain_files):
    """Only the words change: the same {placeholders} (an English one may leave out a Dutch-made value
    such as {known} or {child}, never add one) and the same button payloads, titles translated."""
    problems = []
    for name, response, variations in _responses(domain_files):
        dutch = [v for v in variations if not _is_english(v)]
        for english in (v for v in variations if _is_english(v)):
            known = set().union(*(set(_PLACEHOLDER.findall(v.get("text") or "")) for v in dutch)) if dutch else set()
            extra = set(_PLACEHOLDER.findall(english.get("text") or "")) - known
            if extra:
                problems.append(f"{name}: {response} has placeholders the Dutch text lacks: {sorted(extra)}")
            payloads = [b["payload"] for b in english.get("buttons") or []]
            if response not in OTHER_BUTTONS and dutch and not any(
                    [b["payload"] for b in v.get("buttons") or []] == payloads for v in dutch):
                problems.append(f"{name}: {response} English button payloads {payloads} differ from the Dutch ones")
    assert not problems, "\n".join(problems)
