"""The three NLU sets (issue 13) and how to compare them: training (data/nlu), development
(tests/nlu_dev, for choosing pipelines and finding gaps) and test (tests/nlu, written once, only
measured). Issue 21: the test set of 2026-12-01 was scored and acted on, so it moved to development
(tests/nlu_dev/dev_old_testset.yml); the present test set was written afresh on 2026-12-07.
Used by tests/test_nlu_sets.py, scripts/nlu_check_drafts.py and `python -m bot nlu report`."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

TRAIN_DIR = Path("data/nlu")
DEV_DIR = Path("tests/nlu_dev")
TEST_DIR = Path("tests/nlu")

# "[text](entity)" and "[text]{"entity": ..., "value": ...}" -> text
_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
_NON_WORD = re.compile(r"[^\w@+]+", re.UNICODE)

# Near-duplicate thresholds on normalised text (tests/test_nlu_sets.py).
MIN_RATIO = 0.85
MAX_EDITS = 3
MIN_CHARS_FOR_EDITS = 15  # below this, 3 edits change a different word ("hoi" / "hey"): ratio only


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    source: str
    entities: Tuple[Tuple[str, str, Optional[str]], ...] = ()  # (entity, span text, value)

    @property
    def plain(self) -> str:
        return plain_text(self.text)


def plain_text(text: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1), text)


def entities_of(text: str) -> Tuple[Tuple[str, str, Optional[str]], ...]:
    found = []
    for match in _ANNOTATION.finditer(text):
        span, spec = match.group(1), match.group(2)
        if spec.startswith("("):
            name, value = spec[1:-1].split(":")[0], None
        else:
            data = yaml.safe_load(spec)
            name, value = data.get("entity"), data.get("value")
        found.append((name, span, value))
    return tuple(found)


def normalise(text: str) -> str:
    """Case, punctuation and spacing do not count (the tokenizer drops them): lower-case words."""
    words = _NON_WORD.sub(" ", plain_text(text).lower()).split()
    return " ".join(words)


def bag(text: str) -> str:
    """Word order does not count either: the sorted words."""
    return " ".join(sorted(normalise(text).split()))


def levenshtein(a: str, b: str, limit: int = MAX_EDITS) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _close(x: str, y: str) -> bool:
    matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
    # quick_ratio counts the shared characters (an upper bound): cheap tests first.
    shared = matcher.quick_ratio() * (len(x) + len(y)) / 2
    longest = max(len(x), len(y))
    edits_possible = (min(len(x), len(y)) >= MIN_CHARS_FOR_EDITS and longest - len(x) - len(y) + longest <= MAX_EDITS * 2
                      and shared >= longest - MAX_EDITS)
    if matcher.real_quick_ratio() < MIN_RATIO and not edits_possible:
        return False
    if matcher.quick_ratio() >= MIN_RATIO and matcher.ratio() >= MIN_RATIO:
        return True
    return edits_possible and levenshtein(x, y) <= MAX_EDITS


def message_forms(text: str) -> Tuple[str, str]:
    """(normalised, bag): the two forms near_duplicate compares; same length, so one length test."""
    words = normalise(text).split()
    return " ".join(words), " ".join(sorted(words))


def near_forms(a: Tuple[str, str], b: Tuple[str, str]) -> bool:
    """near_duplicate on message_forms computed once (a set is compared with thousands of messages)."""
    (na, ba), (nb, bb) = a, b
    if not na or not nb:
        return na == nb
    if na == nb or ba == bb:
        return True
    # Lengths alone rule most pairs out: _close needs a ratio >= MIN_RATIO (at most 2*shorter/total)
    # or an edit test, which it only tries when the lengths differ by at most 2*MAX_EDITS.
    longest, shortest = max(len(na), len(nb)), min(len(na), len(nb))
    if 2.0 * shortest / (longest + shortest) < MIN_RATIO and longest - shortest > 2 * MAX_EDITS:
        return False
    return _close(na, nb) or _close(ba, bb)


def near_duplicate(a: str, b: str) -> bool:
    """True when two messages are the same or nearly so after normalisation (order-free too)."""
    return near_forms(message_forms(a), message_forms(b))


def load_examples(folder: Path) -> List[Example]:
    """All intent examples in the YAML files under ``folder`` (lookups and regexes are skipped)."""
    examples: List[Example] = []
    for path in sorted(Path(folder).rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                text = line[2:].strip()
                examples.append(Example(text=text, intent=block["intent"], source=str(path),
                                        entities=entities_of(text)))
    return examples


def _possible(candidates: List[str], references: List[str]):
    """For each candidate, the indices of references that could be near duplicates at all.

    Both tests of ``_close`` need many shared characters: a ratio of at least MIN_RATIO is at most
    2*shared/(total length), and the edit test needs shared >= longest - MAX_EDITS. The shared
    characters (difflib's quick_ratio) depend only on letter counts, which are the same for the
    normalised and the word-sorted form, so one count per message rules out almost every pair at once.
    """
    import numpy as np

    alphabet = {ch: i for i, ch in enumerate(sorted(set("".join(candidates + references))))}

    def counts(texts: List[str]):
        matrix = np.zeros((len(texts), max(len(alphabet), 1)), dtype=np.int32)
        for row, text in enumerate(texts):
            for ch in text:
                matrix[row, alphabet[ch]] += 1
        return matrix

    refs, ref_len = counts(references), np.array([len(t) for t in references])
    for row, text in zip(counts(candidates), candidates):
        shared = np.minimum(refs, row).sum(axis=1)
        longest = np.maximum(ref_len, len(text))
        ok = (2.0 * shared >= MIN_RATIO * (ref_len + len(text)) - 1e-9) | (shared >= longest - MAX_EDITS)
        yield np.flatnonzero(ok)


def duplicates(candidates: Iterable[Example], reference: Iterable[Example]) -> List[Tuple[Example, Example]]:
    """Pairs (candidate, reference) that are near duplicates."""
    refs = [(r, message_forms(r.text)) for r in reference]
    cands = [(c, message_forms(c.text)) for c in candidates]
    pairs = []
    possible = _possible([f[0] for _, f in cands], [f[0] for _, f in refs])
    for (c, forms), indices in zip(cands, possible):
        for i in indices:
            r, r_forms = refs[i]
            if near_forms(forms, r_forms):
                pairs.append((c, r))
                break
    return pairs


def exact_duplicates(candidates: Iterable[Example], reference: Iterable[Example]) -> List[Tuple[Example, Example]]:
    seen: Dict[str, Example] = {}
    for r in reference:
        seen.setdefault(normalise(r.text), r)
        seen.setdefault(bag(r.text), r)
    return [(c, seen.get(normalise(c.text)) or seen[bag(c.text)]) for c in candidates
            if normalise(c.text) in seen or bag(c.text) in seen]
