"""Scores a trained model on an NLU set the way the bot really answers (issue 21).

Every message goes through the whole trained pipeline once (``Agent.parse_message``), so the
FallbackClassifier is applied: a message it turns into ``nlu_fallback`` ("niet begrepen") counts as
wrong, as it is for the person who typed it. ``rasa test nlu`` undoes that step and so scored such
answers as right. Entities are scored on what the actions read: the set of (entity, value) pairs per
message after the synonym mapper, not token tags.

The yardstick is trained here, in the same run, on the same training data: the textbook TF-IDF +
logistic regression (word uni- and bigrams, scikit-learn's defaults), taking its best guess with no
fallback applied. A second, stronger yardstick (our own intent model's features without its
normalisation, markers and typo copies) is reported beside it for information.

Used by the NLU gate (test set: counts and scores only, never messages), by ``python -m bot nlu
report`` and by ``scripts/nlu_compare.py`` (development set).
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.ops.nlu_sets import Example, normalise, plain_text

FALLBACK_INTENT = "nlu_fallback"
Scores = Dict[str, Dict[str, float]]


async def _parse(model: Path, texts: Sequence[str]) -> List[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def parse_all(model: Path, texts: Sequence[str]) -> List[dict]:
    """Rasa's parse result for every text, with the model loaded once."""
    return asyncio.run(_parse(model, list(texts)))


def intent_scores(truth: Sequence[str], guess: Sequence[Optional[str]]) -> Scores:
    """Precision, recall and F1 per true intent. A guess outside the true intents (``nlu_fallback``)
    lowers the recall of the intent that was meant and adds to no intent's precision."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(truth))
    guess = [g or FALLBACK_INTENT for g in guess]
    p, r, f, n = precision_recall_fscore_support(truth, guess, labels=labels, zero_division=0)
    return {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "n": int(n[i])}
            for i, lab in enumerate(labels)}


def macro_f1(scores: Scores) -> float:
    names = [n for n, s in scores.items() if s["n"]]
    return sum(scores[n]["f1"] for n in names) / len(names) if names else 0.0


def _pairs(entities: Iterable[Tuple[str, Optional[str]]], names: Set[str]) -> Set[Tuple[str, str]]:
    return {(name, str(value).strip().lower()) for name, value in entities if name in names and value}


def entity_scores(examples: Sequence[Example], parsed: Sequence[dict], names: Iterable[str]) -> Scores:
    """Micro precision, recall and F1 per entity over (entity, value) pairs per message. An annotation
    without an explicit value means its span text (as the synonym mapper would leave it)."""
    result: Scores = {}
    for name in names:
        tp = fp = fn = 0
        for example, result_row in zip(examples, parsed):
            expected = _pairs(((e, v if v is not None else span) for e, span, v in example.entities), {name})
            found = _pairs(((e.get("entity"), e.get("value")) for e in result_row.get("entities") or []), {name})
            tp += len(expected & found)
            fp += len(found - expected)
            fn += len(expected - found)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[name] = {"precision": precision, "recall": recall, "f1": f1, "n": tp + fn}
    return result


def _baseline_pipeline(strong: bool):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    if not strong:
        return make_pipeline(TfidfVectorizer(analyzer="word", ngram_range=(1, 2)),
                             LogisticRegression(max_iter=3000))
    return make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=10, max_iter=3000))


def baseline(train: Sequence[Example], test: Sequence[Example], strong: bool = False) -> Dict[str, object]:
    """A yardstick trained on the same training messages; its best guess counts (no fallback)."""
    model = _baseline_pipeline(strong)
    model.fit([normalise(e.text) for e in train], [e.intent for e in train])
    truth = [e.intent for e in test]
    guess = list(model.predict([normalise(e.text) for e in test]))
    scores = intent_scores(truth, guess)
    return {"per_intent": scores, "macro_f1": macro_f1(scores),
            "accuracy": sum(a == b for a, b in zip(truth, guess)) / len(truth) if truth else 0.0}


def evaluate(model: Path, examples: Sequence[Example], train: Sequence[Example],
             entities: Iterable[str] = ("topic",), parsed: Optional[List[dict]] = None) -> Dict[str, object]:
    """The model's scores with the fallback applied, and both yardsticks, on one set."""
    if parsed is None:
        parsed = parse_all(model, [plain_text(e.text) for e in examples])
    truth = [e.intent for e in examples]
    guess = [(p.get("intent") or {}).get("name") for p in parsed]
    scores = intent_scores(truth, guess)
    base = baseline(train, examples)
    strong = baseline(train, examples, strong=True)
    return {
        "messages": len(examples),
        "intents": scores,
        "intent_macro_f1": macro_f1(scores),
        "intent_accuracy": sum(a == b for a, b in zip(truth, guess)) / len(truth) if truth else 0.0,
        "fallbacks": sum(g == FALLBACK_INTENT for g in guess),
        "entities": entity_scores(examples, parsed, entities),
        "baseline": base,
        "baseline_strong": strong,
        "margin": macro_f1(scores) - float(base["macro_f1"]),
        "rows": [{"text": plain_text(e.text), "intent": e.intent, "predicted": g,
                  "confidence": float((p.get("intent") or {}).get("confidence") or 0.0)}
                 for e, g, p in zip(examples, guess, parsed)],
    }
