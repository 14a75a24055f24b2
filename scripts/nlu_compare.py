"""Pipeline comparison on the DEVELOPMENT set (tests/nlu_dev; issue 13: choices are never made on the
test set tests/nlu). Trains NLU-only models for a few
candidate pipelines and prints intent macro-F1, entity F1 and training time per candidate.

Run: RASA_TELEMETRY_ENABLED=false .venv/bin/python scripts/nlu_compare.py [OUT_DIR] [name ...]
The chosen candidate is the pipeline in config.yml.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")


def pipeline(tokenizer: str, min_n: int, max_n: int, epochs: int) -> list:
    steps: list = []
    if tokenizer == "spacy":
        steps += [{"name": "SpacyNLP", "model": "spacy_nl_blank"}, {"name": "SpacyTokenizer"}]
    else:
        steps += [{"name": "WhitespaceTokenizer"}]
    steps += [
        {"name": "RegexFeaturizer", "case_sensitive": False, "use_word_boundaries": True},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": min_n, "max_ngram": max_n},
        {"name": "DIETClassifier", "epochs": epochs, "random_seed": 42, "constrain_similarities": True},
        {"name": "EntitySynonymMapper"},
        {"name": "FallbackClassifier", "threshold": 0.4, "ambiguity_threshold": 0.1},
    ]
    return steps


CANDIDATES = {
    "ws_c1-4_e100": ("whitespace", 1, 4, 100),
    "ws_c2-5_e100": ("whitespace", 2, 5, 100),
    "spacy_c2-5_e100": ("spacy", 2, 5, 100),
    "ws_c2-5_e200": ("whitespace", 2, 5, 200),
    "ws_c2-5_e50": ("whitespace", 2, 5, 50),
    "spacy_c1-4_e100": ("spacy", 1, 4, 100),
}


def entity_f1(report: dict) -> float:
    return report.get("micro avg", report.get("weighted avg", {})).get("f1-score", 0.0)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/nlu_compare")
    names = sys.argv[2:] or list(CANDIDATES)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    rows = []
    for name in names:
        tok, lo, hi, ep = CANDIDATES[name]
        cfg = out / f"{name}.yml"
        cfg.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "nl",
                                       "pipeline": pipeline(tok, lo, hi, ep), "policies": []}))
        start = time.monotonic()
        subprocess.run([RASA, "train", "nlu", "--config", str(cfg), "--nlu", "data/nlu", "--out",
                        str(out / "models"), "--fixed-model-name", name], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        train_s = time.monotonic() - start
        res = out / f"res_{name}"
        subprocess.run([RASA, "test", "nlu", "--model", str(out / "models" / f"{name}.tar.gz"), "--nlu",
                        "tests/nlu_dev", "--out", str(res), "--no-plot"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        intents = json.loads((res / "intent_report.json").read_text())
        ents = json.loads((res / "DIETClassifier_report.json").read_text())
        row = (name, intents["macro avg"]["f1-score"], intents["accuracy"], entity_f1(ents), train_s)
        rows.append(row)
        print(f"{row[0]:<18} intent macro-F1 {row[1]:.3f}  acc {row[2]:.3f}  entity F1 {row[3]:.3f}  train {row[4]:.0f} s", flush=True)
    print("\n| pipeline | intent macro-F1 | intent accuracy | entity F1 | train NLU (s) |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.0f} |")


if __name__ == "__main__":
    main()
