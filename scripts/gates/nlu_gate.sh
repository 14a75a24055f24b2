#!/usr/bin/env bash
# NLU gate (issues 3 and 13): the model must understand the TEST set in tests/nlu, which was written
# once from new messages and is never tuned on (tests/test_nlu_sets.py keeps it apart from data/nlu
# and the development set tests/nlu_dev). Fails when intent macro-F1 < MIN_INTENT_F1 or when the F1
# of an entity that the bot reads (only `topic`: actions/conversation.py) < MIN_ENTITY_F1. Entities
# no slot or action reads are not scored. Deterministic: DIET has a fixed random_seed in config.yml.
# Minimums: the first model measured on this unseen set scored intent macro-F1 0.833 and topic F1
# 0.777 (2026-12-01); round 2 (logistic regression for intents, chat-language data) measured it once
# on 2026-12-02 at 0.888 / 0.780; round 3 (our own intent model, 1,223 new training messages, the old
# development data moved into training) measured it once on 2026-12-02 at 0.927 / 0.869, so the gate
# guards against regression at 0.90 / 0.80; the goal was 0.92 (issue 13, content/nlu_pipeline.md).
# Raise the minimums when the figures rise.
# Called by scripts/test.sh with $MODEL. The readable report: `python -m bot nlu report`.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${MODEL:?MODEL must point to a trained model}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
OUT=${NLU_GATE_OUT:-results/nlu}
MIN_INTENT_F1=${MIN_INTENT_F1:-0.90}
MIN_ENTITY_F1=${MIN_ENTITY_F1:-0.80}
READ_ENTITIES=${READ_ENTITIES:-topic}
rm -rf "$OUT"; mkdir -p "$OUT"
.venv/bin/rasa test nlu --model "$MODEL" --nlu tests/nlu --out "$OUT" --no-plot >"$OUT/rasa.log" 2>&1 || {
  tail -n 30 "$OUT/rasa.log"; exit 1; }
.venv/bin/python - "$OUT" "$MIN_INTENT_F1" "$MIN_ENTITY_F1" "$READ_ENTITIES" <<'PY'
import json
import sys
from pathlib import Path

out, min_intent, min_entity = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
read_entities = sys.argv[4].split()
intents = json.loads((out / "intent_report.json").read_text())
entities_path = out / "DIETClassifier_report.json"
entities = json.loads(entities_path.read_text()) if entities_path.exists() else {}
summary = {"accuracy", "macro avg", "weighted avg", "micro avg"}

print(f"{'intent':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
for name in sorted(k for k in intents if k not in summary):
    r = intents[name]
    print(f"{name:<18} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1-score']:>6.3f} {r['support']:>4}")
print()
print(f"{'entity (gelezen)':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
entity_f1 = {}
for name in read_entities:
    r = entities.get(name, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
    entity_f1[name] = r["f1-score"]
    print(f"{name:<18} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1-score']:>6.3f} {r['support']:>4}")

intent_f1 = intents["macro avg"]["f1-score"]
print()
print(f"intent macro-F1 {intent_f1:.3f} (minimum {min_intent:.2f})")
for name, f1 in entity_f1.items():
    print(f"entity {name} F1 {f1:.3f} (minimum {min_entity:.2f})")
errors = out / "intent_errors.json"
if errors.exists():
    wrong = json.loads(errors.read_text())
    if wrong:
        print(f"\n{len(wrong)} verkeerd herkende testberichten:")
        for e in wrong:
            print(f"  {e['intent']:>16} -> {e['intent_prediction']['name']:<16} {e['text']}")
if intent_f1 < min_intent or any(f1 < min_entity for f1 in entity_f1.values()):
    print("NLU-poort NIET gehaald")
    sys.exit(1)
print("NLU-poort gehaald")
PY
