"""``python -m bot nlu report`` (issue 13): how well the current model understands the TEST set
(tests/nlu), in a form the content team can read.

Writes into results/nlu_report/:
- ``scores.md`` and ``scores.json``: intent precision/recall/F1 per intent, macro-F1, the answer
  chosen for doubts/jobs/training questions (topic), and a TF-IDF + logistic-regression baseline
  trained on the same training data (data/nlu) as a yardstick;
- ``confusion_matrix.png``: which intent was read as which;
- ``most_confused.md``: the 20 test messages the model got wrong with the most confidence.

The intent figures come from ``rasa test nlu``; the topic figures from the same model loaded once
(rasa.core.agent), with bot.conversation.topics choosing the answer as the action does.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from bot.conversation.topics import RESPONSES, pick_response
from bot.ops.nlu_sets import DEV_DIR, TEST_DIR, TRAIN_DIR, Example, load_examples, normalise, plain_text
from bot.ops.training import rasa_env, rasa_executable

OUT_DIR = Path("results/nlu_report")
# ``--set``: the test set gives the honest figure and is never tuned on; the development set is where
# the content team looks for gaps (its most-confused list is meant to be read and acted on).
SETS = {"test": (TEST_DIR, "testset"), "dev": (DEV_DIR, "ontwikkelset")}
SUMMARY = {"accuracy", "macro avg", "weighted avg", "micro avg"}
Progress = Callable[[str], None]


def run_rasa_test(model: Path, test_dir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [rasa_executable(), "test", "nlu", "--model", str(model), "--nlu", str(test_dir), "--out", str(out),
           "--successes", "--no-plot"]
    with (out / "rasa.log").open("w") as log:
        done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=rasa_env())
    if done.returncode != 0:
        raise RuntimeError(f"rasa test nlu is mislukt; zie {out / 'rasa.log'}")


def predictions(rasa_out: Path) -> List[dict]:
    """Every test message with its true and predicted intent (successes + errors)."""
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = rasa_out / name
        if path.exists():
            rows += json.loads(path.read_text(encoding="utf-8"))
    return [{"text": r["text"], "intent": r["intent"], "predicted": (r.get("intent_prediction") or {}).get("name"),
             "confidence": float((r.get("intent_prediction") or {}).get("confidence") or 0.0)} for r in rows]


def intent_scores(rasa_out: Path) -> Dict[str, dict]:
    report = json.loads((rasa_out / "intent_report.json").read_text(encoding="utf-8"))
    return {name: {"precision": r["precision"], "recall": r["recall"], "f1": r["f1-score"], "n": r["support"]}
            for name, r in report.items() if name not in SUMMARY}


def macro_f1(scores: Dict[str, dict], labels: Optional[Sequence[str]] = None) -> float:
    names = labels or [n for n in scores if scores[n]["n"]]
    return sum(scores[n]["f1"] for n in names) / len(names) if names else 0.0


def most_confused(rows: List[dict], limit: int = 20) -> List[dict]:
    wrong = [r for r in rows if r["predicted"] != r["intent"]]
    return sorted(wrong, key=lambda r: (-r["confidence"], r["text"]))[:limit]


def baseline(train: List[Example], test: List[Example]) -> Dict[str, object]:
    """TF-IDF (words 1-2 + characters 2-5) with logistic regression, on normalised text."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=10, max_iter=3000))
    model.fit([normalise(e.text) for e in train], [e.intent for e in train])
    truth = [e.intent for e in test]
    guess = list(model.predict([normalise(e.text) for e in test]))
    labels = sorted(set(truth))
    p, r, f, n = precision_recall_fscore_support(truth, guess, labels=labels, zero_division=0)
    per_intent = {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "n": int(n[i])}
                  for i, lab in enumerate(labels)}
    return {"per_intent": per_intent, "macro_f1": macro_f1(per_intent),
            "accuracy": sum(a == b for a, b in zip(truth, guess)) / len(truth)}


def expected_response(example: Example) -> Optional[str]:
    table = RESPONSES.get(example.intent)
    if table is None:
        return None
    topics = [value for name, _, value in example.entities if name == "topic"]
    return table.get(topics[0] if topics else None)


async def _parse_all(model: Path, texts: List[str]) -> List[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def topic_scores(model: Path, test: List[Example]) -> Dict[str, object]:
    """Does a question about doubts, jobs or training get the right answer? The intent is taken as
    given (its errors are counted above); the model's ``topic`` entity and the word fallback decide."""
    cases = [e for e in test if e.intent in RESPONSES]
    parsed = asyncio.run(_parse_all(model, [plain_text(e.text) for e in cases]))
    rows = []
    for example, result in zip(cases, parsed):
        entity = next((str(x.get("value")) for x in result.get("entities") or []
                       if x.get("entity") == "topic" and x.get("value")), None)
        chosen = pick_response(example.intent, plain_text(example.text), entity)
        words_only = pick_response(example.intent, plain_text(example.text), None)
        rows.append({"text": plain_text(example.text), "intent": example.intent, "expected": expected_response(example),
                     "chosen": chosen, "nlu_topic": entity, "words_only": words_only,
                     "predicted_intent": (result.get("intent") or {}).get("name")})
    right = sum(r["chosen"] == r["expected"] for r in rows)
    right_words = sum(r["words_only"] == r["expected"] for r in rows)
    right_end_to_end = sum(r["chosen"] == r["expected"] and r["predicted_intent"] == r["intent"] for r in rows)
    return {"n": len(rows), "accuracy": right / len(rows) if rows else 0.0,
            "accuracy_words_only": right_words / len(rows) if rows else 0.0,
            "accuracy_with_predicted_intent": right_end_to_end / len(rows) if rows else 0.0,
            "wrong": [r for r in rows if r["chosen"] != r["expected"]]}


def plot_confusion(rows: List[dict], path: Path, label: str = "testset") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted({r["intent"] for r in rows} | {r["predicted"] or "nlu_fallback" for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for r in rows:
        matrix[index[r["intent"]]][index[r["predicted"] or "nlu_fallback"]] += 1
    fig, ax = plt.subplots(figsize=(11, 10))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("herkend als")
    ax.set_ylabel("bedoeld")
    ax.set_title(f"{label.capitalize()}: bedoelde intent tegen herkende intent")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                        color="white" if count > 8 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_markdown(report: dict, out: Path) -> None:
    lines = [f"# NLU-rapport {report.get('set_label', 'testset')} ({report['test_set']}, {report['messages']} berichten)", "",
             f"Model: `{report['model']}`", "",
             f"- intent macro-F1: **{report['intent_macro_f1']:.3f}** (nauwkeurigheid {report['intent_accuracy']:.3f})",
             f"- basislijn TF-IDF + logistische regressie: macro-F1 {report['baseline']['macro_f1']:.3f}",
             f"- juiste antwoord bij twijfels/banen/opleidingen: {report['topic']['accuracy']:.3f} "
             f"({report['topic']['n']} vragen; alleen woorden: {report['topic']['accuracy_words_only']:.3f})", "",
             "| intent | precisie | recall | F1 | basislijn F1 | n |", "|---|---|---|---|---|---|"]
    for name, s in sorted(report["intents"].items()):
        b = report["baseline"]["per_intent"].get(name, {}).get("f1", 0.0)
        lines.append(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {b:.3f} | {s['n']} |")
    if report["topic"]["wrong"]:
        lines += ["", "## Onderwerp fout gekozen", "", "| bericht | verwacht | gekozen | NLU-topic |", "|---|---|---|---|"]
        lines += [f"| {r['text']} | {r['expected']} | {r['chosen']} | {r['nlu_topic'] or '-'} |" for r in report["topic"]["wrong"]]
    (out / "scores.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    confused = ["# De 20 berichten die het meest verward werden", "",
                "Gesorteerd op hoe zeker het model van het foute antwoord was.", "",
                "| bericht | bedoeld | herkend als | zekerheid |", "|---|---|---|---|"]
    confused += [f"| {r['text']} | {r['intent']} | {r['predicted']} | {r['confidence']:.2f} |" for r in report["most_confused"]]
    (out / "most_confused.md").write_text("\n".join(confused) + "\n", encoding="utf-8")


def build_report(model: Path, out: Path = OUT_DIR, test_dir: Path = TEST_DIR, train_dir: Path = TRAIN_DIR,
                 progress: Progress = print, label: str = "testset") -> dict:
    out.mkdir(parents=True, exist_ok=True)
    test = load_examples(test_dir)
    progress(f"{label.capitalize()} gelezen: {len(test)} berichten uit {test_dir}")
    progress(f"rasa test nlu draaien op de {label} (dat duurt een paar minuten) …")
    run_rasa_test(model, test_dir, out / "rasa")
    rows = predictions(out / "rasa")
    scores = intent_scores(out / "rasa")
    progress("Basislijn (TF-IDF + logistische regressie) trainen op dezelfde trainingsdata …")
    base = baseline(load_examples(train_dir), test)
    progress("Onderwerpen meten (model laden) …")
    topic = topic_scores(model, test)
    report = {"model": str(model), "test_set": str(test_dir), "set_label": label, "messages": len(test),
              "intent_macro_f1": macro_f1(scores),
              "intent_accuracy": sum(r["predicted"] == r["intent"] for r in rows) / len(rows) if rows else 0.0,
              "intents": scores, "baseline": base, "topic": topic, "most_confused": most_confused(rows)}
    (out / "scores.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    plot_confusion(rows, out / "confusion_matrix.png", label)
    write_markdown(report, out)
    progress(f"Intent macro-F1 {report['intent_macro_f1']:.3f} (basislijn {base['macro_f1']:.3f}); "
             f"onderwerp goed {topic['accuracy']:.3f}")
    progress(f"Klaar: {out}/scores.md, scores.json, confusion_matrix.png, most_confused.md")
    return report
