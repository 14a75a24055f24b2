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

# Validate, content check, train when stale, NLU gate: the same as `make train`.
bash scripts/train.sh
MODEL=$(cat results/model.txt)

bash scripts/ensure_chromium.sh   # Chromium for the widget's browser tests (installs it when root)
step "pytest (${GP_TEST_WORKERS:-2} processen naast elkaar, per testbestand)"
# Two workers keep both cores busy while one waits on Rasa; --dist loadfile keeps each module's
# started servers (its fixtures) in one worker. GP_TEST_WORKERS=0 runs everything in one process.
t0=$(date +%s)
$PY -m pytest -q -n "${GP_TEST_WORKERS:-2}" --dist loadfile --durations=15
pytest_s=$(( $(date +%s) - t0 ))

step "Verhaaltests (rasa test core --fail-on-prediction-errors)"
t0=$(date +%s)
$RASA test core --model "$MODEL" --stories tests/stories --fail-on-prediction-errors --out results/core >/dev/null 2>results/core.log || {
  tail -n 40 results/core.log; cat results/core/failed_test_stories.yml 2>/dev/null; exit 1; }
echo "alle verhaaltests geslaagd"
stories_s=$(( $(date +%s) - t0 ))

step "Klaar: alles geslaagd"
$PY scripts/timings.py --pytest "$pytest_s" --stories "$stories_s" --model "$MODEL"
