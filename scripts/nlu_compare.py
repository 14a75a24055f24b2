"""Pipeline comparison on the DEVELOPMENT set (tests/nlu_dev; choices are never made on the test set
tests/nlu). Trains NLU-only models for a few candidate pipelines and prints, per candidate, intent
macro-F1 with the FallbackClassifier applied (bot.ops.nlu_eval), the F1 of the entities the actions
read, the two TF-IDF yardsticks, the weakest intents and the training time.

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
             diet_extra: Dict | None = None, after: Dict | None = None, extractor: str = "diet") -> list:
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
    ]
    if max_n:
        steps += [{"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": min_n, "max_ngram": max_n}]
    if extractor == "crf":
        steps += [{"name": "CRFEntityExtractor"}]
    elif intents == "lr":
        steps += [{"name": "LogisticRegressionClassifier", "max_iter": 1000, "random_state": 42},
                  {**diet, "intent_classification": False}]
    else:
        steps += [diet]
    if after:
        steps += [after]
    steps += [{"name": "EntitySynonymMapper"}, fallback()]
    return steps


_CHAT = "bot.conversation.rasa_intent_classifier.ChatIntentClassifier"
_CHAT_CFG = {"name": _CHAT, "C": 30, "class_weight": "balanced", "typo_copies": 1, "solver": "liblinear"}
_ENT_ONLY = {"intent_classification": False}
CANDIDATES = {
    # Issue 21: the intent comes from our own classifier; what extracts the entities, at what cost?
    "diet_both_e100": dict(epochs=100, after=_CHAT_CFG),
    "diet_ent_e100": dict(epochs=100, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "diet_ent_e50": dict(epochs=50, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "diet_ent_e30": dict(epochs=30, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "diet_ent_e50_c2-4": dict(max_n=4, epochs=50, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "diet_ent_e50_c3-5": dict(min_n=3, epochs=50, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "diet_ent_e50_words": dict(max_n=0, epochs=50, diet_extra=_ENT_ONLY, after=_CHAT_CFG),
    "crf": dict(max_n=0, extractor="crf", after=_CHAT_CFG),
    "diet_ent_e40_t0": dict(epochs=40, diet_extra={**_ENT_ONLY, "number_of_transformer_layers": 0},
                            after=_CHAT_CFG),
    "diet_ent_e40_t0_words": dict(max_n=0, epochs=40, diet_extra={**_ENT_ONLY, "number_of_transformer_layers": 0},
                                  after=_CHAT_CFG),
}


def run(name: str, out: Path, env: dict, dev: List) -> dict:
    from bot.ops.nlu_eval import evaluate
    from bot.ops.nlu_sets import TRAIN_DIR, load_examples

    cfg = out / f"{name}.yml"
    cfg.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "nl",
                                   "pipeline": pipeline(**CANDIDATES[name]), "policies": []}))
    start = time.monotonic()
    subprocess.run([RASA, "train", "nlu", "--config", str(cfg), "--nlu", "data/nlu", "--out",
                    str(out / "models"), "--fixed-model-name", name], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    train_s = time.monotonic() - start
    result = evaluate(out / "models" / f"{name}.tar.gz", dev, load_examples(ROOT / TRAIN_DIR),
                      entities=("topic", "location", "postcode"))
    per_intent = {k: v["f1"] for k, v in result["intents"].items()}
    return {"name": name, "macro_f1": result["intent_macro_f1"], "accuracy": result["intent_accuracy"],
            "topic_f1": result["entities"]["topic"]["f1"], "location_f1": result["entities"]["location"]["f1"],
            "postcode_f1": result["entities"]["postcode"]["f1"], "fallbacks": result["fallbacks"],
            "baseline": result["baseline"]["macro_f1"], "baseline_strong": result["baseline_strong"]["macro_f1"],
            "train_s": train_s, "per_intent": per_intent, "load": os.getloadavg()[0]}


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
    from bot.ops.nlu_sets import load_examples

    dev = load_examples(ROOT / DEV)
    rows: List[dict] = []
    for name in names:
        row = run(name, out, env, dev)
        rows.append(row)
        (out / f"{name}.json").write_text(json.dumps(row, indent=2))
        weakest = sorted(row["per_intent"].items(), key=lambda kv: kv[1])[:4]
        print(f"{name:<20} intent macro-F1 {row['macro_f1']:.3f} (fallbacks {row['fallbacks']})  "
              f"topic {row['topic_f1']:.3f}  location {row['location_f1']:.3f}  postcode {row['postcode_f1']:.3f}  "
              f"baselines {row['baseline']:.3f}/{row['baseline_strong']:.3f}  train {row['train_s']:.0f} s "
              f"(load {row['load']:.1f})  weakest: " + ", ".join(f"{k} {v:.2f}" for k, v in weakest), flush=True)
    print("\n| pipeline | intent macro-F1 (fallback applied) | fallbacks | topic F1 | location F1 | postcode F1 | "
          "train NLU (s) |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['macro_f1']:.3f} | {r['fallbacks']} | {r['topic_f1']:.3f} | "
              f"{r['location_f1']:.3f} | {r['postcode_f1']:.3f} | {r['train_s']:.0f} |")

if __name__ == "__main__":
    main()
