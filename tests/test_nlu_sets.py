"""Issue 13: three NLU sets with clear roles. The test set (tests/nlu) must stay unseen: no test
message may equal or nearly equal a training (data/nlu) or development (tests/nlu_dev) message after
normalisation (case, punctuation, word order), and it may only use intents and entities the bot has.
Issue 21: the test set of 2026-12-01 was scored and acted on, so it became development data
(tests/nlu_dev/dev_old_testset.yml); the present test set was written afresh on 2026-12-07, before any
model saw it. No test message may be quoted in any other tracked file either (docs, code, tests)."""
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.ops.nlu_sets import (DEV_DIR, TEST_DIR, TRAIN_DIR, duplicates, exact_duplicates, load_examples,
                              near_duplicate, normalise)

ROOT = Path(__file__).resolve().parents[1]
# Tracked text files that could quote a test message (tests/nlu itself excepted).
QUOTE_SUFFIXES = {".py", ".md", ".sh", ".yml", ".yaml", ".txt", ".j2", ".html", ".json"}
QUOTE_MIN_WORDS = 4  # shorter messages (two or three common words) occur in ordinary prose by chance
# Entities that a slot or an action reads (domain/ from_entity mappings, actions/conversation.py).
READ_ENTITIES = {"topic"}


@pytest.fixture(scope="module")
def sets():
    return {name: load_examples(ROOT / folder) for name, folder in
            (("train", TRAIN_DIR), ("dev", DEV_DIR), ("test", TEST_DIR))}


def _domain():
    intents, entities = set(), set()
    for path in (ROOT / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents.update(i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or [])
        entities.update(e if isinstance(e, str) else next(iter(e)) for e in data.get("entities") or [])
    return intents, entities


def test_normalisation_ignores_case_punctuation_and_order():
    assert near_duplicate("Hallo!", "hallo")
    assert near_duplicate("bol en bbl", "bbl en BOL?")
    assert near_duplicate("ik woon in [Gouda](location)", "ik woon in gouda")
    assert near_duplicate("waarom wil je mijn postcode", "waarom wil je mijn postcodes")  # edit distance
    assert not near_duplicate("hoi", "hey")
    assert not near_duplicate("ik wil stoppen", "ik wil een adviseur spreken")


def test_sets_are_big_enough_and_cover_every_intent(sets):
    intents, _ = _domain()
    assert len(sets["test"]) >= 350
    assert {e.intent for e in sets["test"]} == intents
    assert {e.intent for e in sets["dev"]} <= intents


def test_no_test_message_is_a_copy_or_near_copy_of_training_or_dev(sets):
    pairs = duplicates(sets["test"], sets["train"] + sets["dev"])
    assert not pairs, "\n".join(f"{c.text!r} ({c.intent}) ~ {r.text!r} in {r.source}" for c, r in pairs)


def test_test_messages_are_unique(sets):
    seen = {}
    for example in sets["test"]:
        key = normalise(example.text)
        assert key not in seen, f"{example.text!r} twice in the test set"
        seen[key] = example


def test_dev_holds_no_copy_of_training(sets):
    pairs = exact_duplicates(sets["dev"], sets["train"])
    assert not pairs, [c.text for c, _ in pairs]


def test_no_label_conflicts_within_training(sets):
    labels = {}
    for example in sets["train"]:
        labels.setdefault(normalise(example.text), set()).add(example.intent)
    conflicts = {text: names for text, names in labels.items() if len(names) > 1}
    assert not conflicts  # e.g. "dag" was greet and "dag!" goodbye (issue 13)


def test_test_set_annotates_only_entities_the_bot_reads(sets):
    _, entities = _domain()
    used = {name for example in sets["test"] for name, _, _ in example.entities}
    assert used <= READ_ENTITIES <= entities
    topics = {value for example in sets["test"] for name, _, value in example.entities if name == "topic"}
    from bot.conversation.topics import RESPONSES
    known = {t for table in RESPONSES.values() for t in table if t}
    assert topics <= known


def test_training_data_has_one_file_per_intent():
    """Issue 21: someone adding examples to ask_salary finds one file, data/nlu/ask_salary.yml (no files
    per writing round). Regexes and lookup tables keep their own files."""
    intents, _ = _domain()
    found = {}
    for path in sorted((ROOT / TRAIN_DIR).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks = [b["intent"] for b in data.get("nlu") or [] if "intent" in b]
        if path.name == "regex.yml":
            assert not blocks
            continue
        assert blocks == [path.stem], f"{path.name} holds {blocks}"
        found[path.stem] = path
    assert set(found) == intents


def _files_quoting(messages, root=ROOT):
    """Tracked text files (outside tests/nlu) whose normalised text contains one of the normalised
    ``messages`` as whole words. Returns file names only: a failure must not print a test message."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    texts = {}
    for name in listed.decode("utf-8").split("\0"):
        path = Path(name)
        if not name or path.suffix not in QUOTE_SUFFIXES or path.parts[:2] == ("tests", "nlu"):
            continue
        try:
            texts[name] = f" {normalise((root / path).read_text(encoding='utf-8', errors='replace'))} "
        except (FileNotFoundError, IsADirectoryError):  # deleted in the worktree, or a submodule
            continue
    everything = "\n".join(texts.values())  # normalised text holds no newline: no match across files
    needles = [f" {m} " for m in messages if len(m.split()) >= QUOTE_MIN_WORDS]
    found = [n for n in needles if n in everything]
    return sorted({name for name, text in texts.items() for n in found if n in text})


def test_no_test_message_is_quoted_elsewhere_in_the_repository(sets):
    files = _files_quoting({normalise(e.text) for e in sets["test"]})
    assert not files, "a test message (tests/nlu) is quoted in these files; remove it there"
