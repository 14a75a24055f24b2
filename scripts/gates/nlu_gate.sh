#!/usr/bin/env bash
# NLU gate (issue 3): the model must understand the held-out test set in tests/nlu.
# Fails when intent macro-F1 < 0.90 or entity F1 (micro average over all entities) < 0.90.
# Deterministic: DIET has a fixed random_seed in config.yml. Called by scripts/test.sh with $MODEL.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${MODEL:?MODEL must point to a trained model}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
OUT=${NLU_GATE_OUT:-results/nlu}
MIN_INTENT_F1=${MIN_INTENT_F1:-0.90}
MIN_ENTITY_F1=${MIN_ENTITY_F1:-0.90}
rm -rf "$OUT"; mkdir -p "$OUT"
.venv/bin/rasa test nlu --model "$MODEL" --nlu tests/nlu --out "$OUT" --no-plot >"$OUT/rasa.log" 2>&1 || {
  tail -n 30 "$OUT/rasa.log"; exit 1; }
.venv/bin/python - "$OUT" "$MIN_INTENT_F1" "$MIN_ENTITY_F1" <<'PY'
import json
import sys
from pathlib import Path

out, min_intent, min_entity = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
intents = json.loads((out / "intent_report.json").read_text())
entities = json.loads((out / "DIETClassifier_report.json").read_text())
summary = {"accuracy", "macro avg", "weighted avg", "micro avg"}

print(f"{'intent':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
for name in sorted(k for k in intents if k not in summary):
    r = intents[name]
    print(f"{name:<18} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1-score']:>6.3f} {r['support']:>4}")
print()
print(f"{'entity':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
for name in sorted(k for k in entities if k not in summary | {"no_entity"}):
    r = entities[name]
    print(f"{name:<18} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1-score']:>6.3f} {r['support']:>4}")

intent_f1 = intents["macro avg"]["f1-score"]
entity_f1 = entities.get("micro avg", entities.get("weighted avg"))["f1-score"]
print()
print(f"intent macro-F1 {intent_f1:.3f} (minimum {min_intent:.2f})")
print(f"entity F1 (micro) {entity_f1:.3f} (minimum {min_entity:.2f})")
errors = out / "intent_errors.json"
if errors.exists():
    wrong = json.loads(errors.read_text())
    if wrong:
        print(f"\n{len(wrong)} misclassified test messages:")
        for e in wrong:
            print(f"  {e['intent']:>16} -> {e['intent_prediction']['name']:<16} {e['text']}")
if intent_f1 < min_intent or entity_f1 < min_entity:
    print("NLU-poort NIET gehaald")
    sys.exit(1)
print("NLU-poort gehaald")
PY
