"""Pipeline comparison on the DEVELOPMENT set (tests/nlu_dev; issue 13: choices are never made on the
test set tests/nlu). Trains NLU-only models for a few candidate pipelines and prints intent macro-F1,
accuracy, entity F1, the weakest intents and the training time per candidate.

Run: RASA_TELEMETRY_ENABLED=false .venv/bin/python scripts/nlu_compare.py [--out DIR] [name ...]
     (no names: all candidates; one training at a time, the machine has 2 cores)
The chosen candidate is the pipeline in config.yml (content/nlu_pipeline.md has the table).
All candidates share the regex/lookup features, the word and char_wb count vectors, the synonym
mapper and the FallbackClassifier thresholds of config.yml, so only the named part differs.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
DEV = "tests/nlu_dev"
SUMMARY = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def fallback() -> dict:
    """The FallbackClassifier exactly as config.yml has it, so dev figures match the real bot."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for step in config.get("pipeline") or []:
        if step.get("name") == "FallbackClassifier":
            return dict(step)
    return {"name": "FallbackClassifier", "threshold": 0.5, "ambiguity_threshold": 0.1}


def pipeline(min_n: int = 2, max_n: int = 5, epochs: int = 100, intents: str = "diet",
             diet_extra: Dict | None = None, after: Dict | None = None) -> list:
    """intents: "diet" (DIET does intents and entities) or "lr" (LogisticRegressionClassifier does
    intents, DIET only entities). ``after``: a classifier placed after DIET whose intent replaces (or,
    with diet_weight, is averaged with) DIET's, e.g. the ChatIntentClassifier of config.yml."""
    diet = {"name": "DIETClassifier", "epochs": epochs, "random_seed": 42, "constrain_similarities": True,
            **(diet_extra or {})}
    steps: list = [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer", "case_sensitive": False, "use_word_boundaries": True},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": min_n, "max_ngram": max_n},
    ]
    if intents == "lr":
        steps += [{"name": "LogisticRegressionClassifier", "max_iter": 1000, "random_state": 42},
                  {**diet, "intent_classification": False}]
    else:
        steps += [diet]
    if after:
        steps += [after]
    steps += [{"name": "EntitySynonymMapper"}, fallback()]
    return steps


_CHAT = "bot.conversation.rasa_intent_classifier.ChatIntentClassifier"
_ALL = {"ranking_length": 0}
CANDIDATES = {
    "diet_c2-5_e100": dict(min_n=2, max_n=5, epochs=100),
    "diet_c2-5_e50": dict(min_n=2, max_n=5, epochs=50),
    "diet_c2-5_e200": dict(min_n=2, max_n=5, epochs=200),
    "diet_c1-4_e100": dict(min_n=1, max_n=4, epochs=100),
    "diet_c1-5_e100": dict(min_n=1, max_n=5, epochs=100),
    "diet_c2-5_e100_drop": dict(min_n=2, max_n=5, epochs=100,
                                diet_extra={"drop_rate": 0.3, "weight_sparsity": 0.9}),
    "lr_c2-5_diet-ent_e50": dict(min_n=2, max_n=5, epochs=50, intents="lr"),
    "lr_c2-5_diet-ent_e100": dict(min_n=2, max_n=5, epochs=100, intents="lr"),
    # Round 3 (2026-12-02): what replaces DIET's intent. DIET keeps ranking_length 0 in all of them, so
    # they share one cached DIET and only the last classifier is trained again.
    "diet_all_e100": dict(diet_extra=_ALL),
    "diet+raslr": dict(diet_extra=_ALL, after={"name": "LogisticRegressionClassifier", "max_iter": 1000,
                                                "random_state": 42}),
    "diet+chat": dict(diet_extra=_ALL, after={"name": _CHAT}),
    "diet+chat_bal": dict(diet_extra=_ALL, after={"name": _CHAT, "class_weight": "balanced"}),
    "diet+chat_typo1": dict(diet_extra=_ALL, after={"name": _CHAT, "typo_copies": 1}),
    "diet+chat_typo1_bal": dict(diet_extra=_ALL, after={"name": _CHAT, "typo_copies": 1,
                                                         "class_weight": "balanced"}),
    "diet+chat_mix03": dict(diet_extra=_ALL, after={"name": _CHAT, "diet_weight": 0.3}),
    "diet+chat_mix05": dict(diet_extra=_ALL, after={"name": _CHAT, "diet_weight": 0.5}),
}


def entity_f1(report: dict) -> float:
    return report.get("micro avg", report.get("weighted avg", {})).get("f1-score", 0.0)


def run(name: str, out: Path, env: dict) -> dict:
    cfg = out / f"{name}.yml"
    cfg.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "nl",
                                   "pipeline": pipeline(**CANDIDATES[name]), "policies": []}))
    start = time.monotonic()
    subprocess.run([RASA, "train", "nlu", "--config", str(cfg), "--nlu", "data/nlu", "--out",
                    str(out / "models"), "--fixed-model-name", name], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    train_s = time.monotonic() - start
    res = out / f"res_{name}"
    subprocess.run([RASA, "test", "nlu", "--model", str(out / "models" / f"{name}.tar.gz"), "--nlu", DEV,
                    "--out", str(res), "--no-plot", "--successes"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    intents = json.loads((res / "intent_report.json").read_text())
    ents_path = res / "DIETClassifier_report.json"
    ents = json.loads(ents_path.read_text()) if ents_path.exists() else {}
    per_intent = {k: v["f1-score"] for k, v in intents.items() if k not in SUMMARY}
    topic = ents.get("topic", {}).get("f1-score", 0.0)
    # rasa test undoes the FallbackClassifier; the bot does not. Count the right answers the bot would
    # still turn into "niet begrepen" because the confidence is under the threshold.
    threshold = fallback().get("threshold", 0.5)
    right = json.loads((res / "intent_successes.json").read_text()) if (res / "intent_successes.json").exists() else []
    low = sum((r.get("intent_prediction") or {}).get("confidence", 0.0) < threshold for r in right)
    return {"name": name, "macro_f1": intents["macro avg"]["f1-score"], "accuracy": intents["accuracy"],
            "entity_f1": entity_f1(ents), "topic_f1": topic,
            "right_but_fallback": low / max(len(right), 1), "train_s": train_s, "per_intent": per_intent,
            "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/nlu_compare")
    parser.add_argument("names", nargs="*", help=f"candidates: {', '.join(CANDIDATES)}")
    args = parser.parse_args()
    names = args.names or list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}; choose from {list(CANDIDATES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    rows: List[dict] = []
    for name in names:
        row = run(name, out, env)
        rows.append(row)
        (out / f"{name}.json").write_text(json.dumps(row, indent=2))
        weakest = sorted(row["per_intent"].items(), key=lambda kv: kv[1])[:4]
        print(f"{name:<22} intent macro-F1 {row['macro_f1']:.3f}  acc {row['accuracy']:.3f}  "
              f"entity F1 {row['entity_f1']:.3f}  topic F1 {row['topic_f1']:.3f}  "
              f"right<threshold {row['right_but_fallback']:.2f}  train {row['train_s']:.0f} s "
              f"(load {row['load']:.1f})  weakest: " + ", ".join(f"{k} {v:.2f}" for k, v in weakest), flush=True)
    print("\n| pipeline | intent macro-F1 | accuracy | entity F1 | topic F1 | right but under fallback threshold | "
          "train NLU (s) |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | {r['entity_f1']:.3f} | "
              f"{r['topic_f1']:.3f} | {r['right_but_fallback']:.2f} | {r['train_s']:.0f} |")


if __name__ == "__main__":
    main()
