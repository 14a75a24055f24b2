#!/usr/bin/env bash
# `make train` (issue 21): what the content team runs after changing NLU examples, responses or
# stories. Validates the data and the content packs, retrains only when the model is stale (with a
# progress line while it runs) and runs the NLU gate on the test set. scripts/test.sh starts with it.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=.venv/bin/python
RASA=.venv/bin/rasa
mkdir -p results var/logs
TIMES=results/timings.txt
: > "$TIMES.train"
started=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - started )) s)"; }
timed() {  # timed NAME COMMAND...: runs it and keeps "NAME seconds" for the summary at the end
  local name=$1 t0; shift; t0=$(date +%s)
  "$@"
  echo "$name $(( $(date +%s) - t0 ))" >> "$TIMES.train"
}

step "Trainingsdata valideren (rasa data validate --fail-on-warnings)"
timed valideren $RASA data validate --domain domain --data data --config config.yml --fail-on-warnings

step "Inhoud controleren (python -m bot content check)"
timed inhoud $PY -m bot content check

step "Model trainen als het verouderd is"
t0=$(date +%s)
MODEL=$($PY -m bot train)
echo "trainen $(( $(date +%s) - t0 ))" >> "$TIMES.train"
echo "$MODEL" > results/model.txt

step "NLU-poort op de testset"
export MODEL
timed nlu-poort bash scripts/gates/nlu_gate.sh
