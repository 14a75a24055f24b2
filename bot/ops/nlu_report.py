"""``python -m bot nlu report`` (issues 13 and 21): how well the current model understands an NLU set,
in a form the content team can read.

Writes into results/nlu_report/ (test set) or results/nlu_report_dev/ (development set):
- ``scores.md`` and ``scores.json``: intent precision/recall/F1 per intent with the FallbackClassifier
  applied, macro-F1, the answer chosen for doubts/jobs/training questions (topic), and the TF-IDF +
  logistic-regression yardstick trained on the same training data (bot.ops.nlu_eval);
- ``confusion_matrix.png``: which intent was read as which;
- ``most_confused.md``: the 20 messages the model got wrong with the most confidence, for the
  development set only. The test set is measured, never read: its report holds counts and scores,
  no message (issue 21).

Every figure comes from one pass of the model over the set (bot.ops.nlu_eval.parse_all), with
bot.conversation.topics choosing the answer as the action does.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.conversation.topics import RESPONSES, pick_response
from bot.ops.nlu_eval import evaluate, parse_all
from bot.ops.nlu_sets import DEV_DIR, TEST_DIR, TRAIN_DIR, Example, load_examples, plain_text

OUT_DIR = Path("results/nlu_report")
# ``--set``: the test set gives the honest figure and is never tuned on; the development set is where
# the content team looks for gaps (its most-confused list is meant to be read and acted on).
SETS = {"test": (TEST_DIR, "testset"), "dev": (DEV_DIR, "ontwikkelset")}
Progress = Callable[[str], None]


def most_confused(rows: List[dict], limit: int = 20) -> List[dict]:
    wrong = [r for r in rows if r["predicted"] != r["intent"]]
    return sorted(wrong, key=lambda r: (-r["confidence"], r["text"]))[:limit]


def expected_response(example: Example) -> Optional[str]:
    table = RESPONSES.get(example.intent)
    if table is None:
        return None
    topics = [value for name, _, value in example.entities if name == "topic"]
    return table.get(topics[0] if topics else None)


def topic_scores(test: List[Example], parsed: List[dict]) -> Dict[str, object]:
    """Does a question about doubts, jobs or training get the right answer? The intent is taken as
    given (its errors are counted above); the model's ``topic`` entity and the word fallback decide."""
    rows = []
    for example, result in zip(test, parsed):
        if example.intent not in RESPONSES:
            continue
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
    if report.get("most_confused") is None:
        return
    confused = ["# De 20 berichten die het meest verward werden", "",
                "Gesorteerd op hoe zeker het model van het foute antwoord was.", "",
                "| bericht | bedoeld | herkend als | zekerheid |", "|---|---|---|---|"]
    confused += [f"| {r['text']} | {r['intent']} | {r['predicted']} | {r['confidence']:.2f} |" for r in report["most_confused"]]
    (out / "most_confused.md").write_text("\n".join(confused) + "\n", encoding="utf-8")


def build_report(model: Path, out: Path = OUT_DIR, test_dir: Path = TEST_DIR, train_dir: Path = TRAIN_DIR,
                 progress: Progress = print, label: str = "testset") -> dict:
    out.mkdir(parents=True, exist_ok=True)
    examples = load_examples(test_dir)
    progress(f"{label.capitalize()} gelezen: {len(examples)} berichten uit {test_dir}")
    progress("Model laden en elk bericht laten herkennen (fallback toegepast) …")
    parsed = parse_all(model, [plain_text(e.text) for e in examples])
    progress("Basislijn (TF-IDF + logistische regressie) trainen op dezelfde trainingsdata …")
    result = evaluate(model, examples, load_examples(train_dir), parsed=parsed)
    rows = result["rows"]
    topic = topic_scores(examples, parsed)
    measure_only = Path(test_dir) == TEST_DIR
    if measure_only:  # counts only: the test set's messages are never shown (issue 21)
        topic["wrong"] = []
    report = {"model": str(model), "test_set": str(test_dir), "set_label": label, "messages": len(examples),
              "intent_macro_f1": result["intent_macro_f1"], "intent_accuracy": result["intent_accuracy"],
              "fallbacks": result["fallbacks"], "intents": result["intents"], "baseline": result["baseline"],
              "baseline_strong": result["baseline_strong"], "topic": topic,
              "most_confused": None if measure_only else most_confused(rows)}
    (out / "scores.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    plot_confusion(rows, out / "confusion_matrix.png", label)
    write_markdown(report, out)
    progress(f"Intent macro-F1 {report['intent_macro_f1']:.3f} (basislijn {result['baseline']['macro_f1']:.3f}); "
             f"onderwerp goed {topic['accuracy']:.3f}")
    progress(f"Klaar: {out}/scores.md, scores.json, confusion_matrix.png" + ("" if measure_only else ", most_confused.md"))
    return report
