"""The NLU gate (issue 21): does the model understand the TEST set (tests/nlu) well enough?

The test set was written once, before any model saw it, and is only measured: this gate prints counts
and scores per intent, never a message, so nobody can aim training sentences at its mistakes
(tests/test_nlu_sets.py also checks that no test message is quoted anywhere in the repository).

It fails when
- intent macro-F1, with the FallbackClassifier applied as in the bot, is below ``MIN_INTENT_F1``;
- that score is not at least ``MIN_MARGIN`` above the TF-IDF + logistic-regression yardstick trained
  in the same run on the same training data (bot.ops.nlu_eval.baseline);
- the F1 of an entity an action reads (``topic``) is below ``MIN_ENTITY_F1``.
The limits are constants on purpose: no environment variable lowers them, in CI or anywhere else.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List

from bot.ops.nlu_eval import evaluate
from bot.ops.nlu_sets import TEST_DIR, TRAIN_DIR, load_examples

MIN_INTENT_F1 = 0.92
MIN_MARGIN = 0.02
MIN_ENTITY_F1 = 0.80
READ_ENTITIES = ("topic",)  # the one entity an action reads from typed text (actions/conversation.py)
OUT = Path("results/nlu_gate.json")


def failures(result: Dict[str, object]) -> List[str]:
    problems = []
    f1 = float(result["intent_macro_f1"])
    base = float(result["baseline"]["macro_f1"])
    if f1 < MIN_INTENT_F1:
        problems.append(f"intent macro-F1 {f1:.3f} < {MIN_INTENT_F1:.2f}")
    if f1 - base < MIN_MARGIN:
        problems.append(f"intent macro-F1 {f1:.3f} is maar {f1 - base:+.3f} boven de basislijn {base:.3f} "
                        f"(minimaal +{MIN_MARGIN:.2f})")
    for name, scores in result["entities"].items():
        if scores["f1"] < MIN_ENTITY_F1:
            problems.append(f"entity {name} F1 {scores['f1']:.3f} < {MIN_ENTITY_F1:.2f}")
    return problems


def report_lines(result: Dict[str, object]) -> List[str]:
    """Counts and scores only: no message of the test set is ever printed."""
    intents = result["intents"]
    base = result["baseline"]["per_intent"]
    lines = [f"{'intent':<18} {'precisie':>8} {'recall':>7} {'f1':>6} {'basis f1':>8} {'n':>4}"]
    for name in sorted(intents):
        s = intents[name]
        lines.append(f"{name:<18} {s['precision']:>8.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} "
                     f"{base.get(name, {}).get('f1', 0.0):>8.3f} {s['n']:>4}")
    lines.append("")
    for name, s in result["entities"].items():
        lines.append(f"entity {name}: precisie {s['precision']:.3f}, recall {s['recall']:.3f}, "
                     f"F1 {s['f1']:.3f} ({s['n']} verwacht)")
    wrong = sum(r["predicted"] != r["intent"] for r in result["rows"])
    lines += [
        f"{result['messages']} testberichten, {wrong} fout herkend, waarvan {result['fallbacks']} "
        f"'niet begrepen' (FallbackClassifier)",
        f"intent macro-F1 {result['intent_macro_f1']:.3f} (minimum {MIN_INTENT_F1:.2f})",
        f"basislijn TF-IDF + logistische regressie: {result['baseline']['macro_f1']:.3f}; "
        f"marge {result['margin']:+.3f} (minimum +{MIN_MARGIN:.2f})",
        f"ter informatie, sterkere basislijn (woorden + lettergroepen): {result['baseline_strong']['macro_f1']:.3f}",
    ]
    return lines


def summary(result: Dict[str, object]) -> Dict[str, object]:
    """What is kept in results/ and shown by `make bench`: figures, no messages."""
    return {"messages": result["messages"], "intent_macro_f1": round(result["intent_macro_f1"], 4),
            "baseline_macro_f1": round(result["baseline"]["macro_f1"], 4),
            "baseline_strong_macro_f1": round(result["baseline_strong"]["macro_f1"], 4),
            "margin": round(result["margin"], 4), "fallbacks": result["fallbacks"],
            "entities": {k: round(v["f1"], 4) for k, v in result["entities"].items()},
            "per_intent_f1": {k: round(v["f1"], 4) for k, v in result["intents"].items()}}


def run_gate(model: Path, out: Callable[[str], None] = print, test_dir: Path = TEST_DIR,
             train_dir: Path = TRAIN_DIR) -> bool:
    test = load_examples(test_dir)
    out(f"NLU-poort: {len(test)} testberichten uit {test_dir} door het model (fallback toegepast) …")
    result = evaluate(model, test, load_examples(train_dir), entities=READ_ENTITIES)
    for line in report_lines(result):
        out(line)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"model": model.name, **summary(result)}, indent=2), encoding="utf-8")
    problems = failures(result)
    if problems:
        out("NLU-poort NIET gehaald: " + "; ".join(problems))
        return False
    out("NLU-poort gehaald")
    return True
