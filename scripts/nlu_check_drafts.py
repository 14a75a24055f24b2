"""Check draft NLU messages before they go into training or development data, without showing the
test set (issue 13: the test set is only measured, never read for tuning).

    .venv/bin/python scripts/nlu_check_drafts.py data/nlu/nieuw.yml [--role train|dev|test]

For every draft message it says which rule of tests/test_nlu_sets.py it breaks:
- near a TEST message: only the draft is printed. Drop it, do not reword it: rewording it while
  knowing it is close would be tuning on the test set.
- near a development message (for training drafts) or a training message (for dev drafts): both are
  printed, so the set roles stay apart.
- the same text under another intent in training: a label conflict.
- role test (a draft for tests/nlu): near a training OR a development message, quoted inside one (4+
  words), or near another draft of the same run. Only the draft and the file of the other message
  are printed: drop the draft (or write a genuinely different sentence), never reword it to pass.
Exit code 1 when anything was found, so it can run in a loop while writing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ops.nlu_sets import (DEV_DIR, TEST_DIR, TRAIN_DIR, load_examples, message_forms,  # noqa: E402
                              near_duplicate, near_forms, normalise)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="YAML files (or folders) with the drafts")
    parser.add_argument("--role", choices=("train", "dev", "test"), default="train",
                        help="where the drafts will go (default: train)")
    args = parser.parse_args()

    drafts = []
    for path in args.paths:
        drafts += load_examples(path) if path.is_dir() else load_examples_file(path)
    draft_sources = {str(p.resolve()) for p in args.paths}

    def others(folder):
        return [e for e in load_examples(ROOT / folder) if str(Path(e.source).resolve()) not in draft_sources]

    test, train, dev = others(TEST_DIR), others(TRAIN_DIR), others(DEV_DIR)
    if args.role == "test":
        problems = check_test_drafts(drafts, test, train, dev)
        print(f"{len(drafts)} drafts checked, {problems} problems")
        return 1 if problems else 0
    apart_from = dev if args.role == "train" else train
    labels = {}
    for example in train:
        labels.setdefault(normalise(example.text), set()).add(example.intent)

    problems = 0
    seen = {}
    for draft in drafts:
        key = normalise(draft.text)
        if key in seen:
            print(f"TWICE        {draft.text!r} ({draft.intent}) also as {seen[key]!r}")
            problems += 1
        seen[key] = draft.text
        if any(near_duplicate(draft.text, t.text) for t in test):
            print(f"NEAR TEST    {draft.text!r} ({draft.intent}): drop it, do not reword it")
            problems += 1
            continue
        other = next((e for e in apart_from if near_duplicate(draft.text, e.text)), None)
        if other is not None:
            print(f"NEAR {args.role == 'train' and 'DEV  ' or 'TRAIN'}   {draft.text!r} ({draft.intent}) ~ "
                  f"{other.text!r} ({other.intent}, {Path(other.source).name})")
            problems += 1
        conflict = labels.get(key, set()) - {draft.intent}
        if args.role == "train" and conflict:
            print(f"CONFLICT     {draft.text!r} is {draft.intent} here, {sorted(conflict)} in training")
            problems += 1
    print(f"{len(drafts)} drafts checked, {problems} problems")
    return 1 if problems else 0


def check_test_drafts(drafts, test, train, dev) -> int:
    """Test-set drafts must be near nothing: not training, not development, not the rest of the test set,
    and not each other (the rules of tests/test_nlu_sets.py, plus near-duplicates within the drafts)."""
    references = [(label, e, message_forms(e.text)) for label, refs in (("TRAIN", train), ("DEV", dev), ("TEST", test))
                  for e in refs]
    problems = 0
    kept = []
    for draft in drafts:
        forms = message_forms(draft.text)
        where = next((f"{label} {Path(e.source).name}" for label, e, e_forms in references
                      if near_forms(forms, e_forms)), None)
        if where is None and len(forms[0].split()) >= 4:
            # Quoted inside a longer message (tests/test_nlu_sets.py: no test message quoted elsewhere).
            where = next((f"{label} {Path(e.source).name} (inside)" for label, e, e_forms in references
                          if f" {forms[0]} " in f" {e_forms[0]} "), None)
        if where is None:
            where = next((f"DRAFT ({e.intent})" for e, e_forms in kept if near_forms(forms, e_forms)), None)
        if where is not None:
            print(f"NEAR {where:<30} {draft.text!r} ({draft.intent}): drop it, do not reword it")
            problems += 1
            continue
        kept.append((draft, forms))
    return problems


def load_examples_file(path: Path):
    """load_examples works on folders; one file is read through a temporary view of its folder."""
    return [e for e in load_examples(path.parent) if Path(e.source).resolve() == path.resolve()]


if __name__ == "__main__":
    raise SystemExit(main())
