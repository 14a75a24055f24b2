#!/usr/bin/env bash
# Everything that guards quality, in order of cost. Used by `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=.venv/bin/python
RASA=.venv/bin/rasa
start=$(date +%s)
mkdir -p results
step() { echo; echo "==> $* ($(( $(date +%s) - start )) s)"; }

step "Trainingsdata valideren (rasa data validate --fail-on-warnings)"
$RASA data validate --domain domain --data data --config config.yml --fail-on-warnings

step "Inhoud controleren (python -m bot content check)"
$PY -m bot content check

step "Model trainen als het verouderd is"
MODEL=$($PY -m bot train)

bash scripts/ensure_chromium.sh   # Chromium for the widget's browser tests (installs it when root)
step "pytest (${GP_TEST_WORKERS:-2} processen naast elkaar, per testbestand)"
# Two workers keep both cores busy while one waits on Rasa; --dist loadfile keeps each module's
# started servers (its fixtures) in one worker. GP_TEST_WORKERS=0 runs everything in one process.
$PY -m pytest -q -n "${GP_TEST_WORKERS:-2}" --dist loadfile

step "Verhaaltests (rasa test core --fail-on-prediction-errors)"
mkdir -p results
$RASA test core --model "$MODEL" --stories tests/stories --fail-on-prediction-errors --out results/core >/dev/null 2>results/core.log || {
  tail -n 40 results/core.log; cat results/core/failed_test_stories.yml 2>/dev/null; exit 1; }
echo "alle verhaaltests geslaagd"

for gate in scripts/gates/*.sh; do
  [ -e "$gate" ] || continue
  step "Poort: $gate"
  MODEL="$MODEL" bash "$gate"
done

step "Klaar: alles geslaagd"
