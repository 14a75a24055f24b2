# Sourced by scripts/train.sh and scripts/test.sh: the environment every Rasa and bot command runs in.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=.venv/bin/python
RASA=.venv/bin/rasa
mkdir -p results var/logs
