#!/usr/bin/env bash
# Creates .venv with Python 3.10 and the pinned dependencies, once.
# Re-runs the install only when requirements.txt or requirements.lock changed, so `make run`
# and `make test` can call it every time at almost no cost.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"

find_python310() {
  local candidate
  # 1. python3.10 on PATH (a pyenv shim may exist without being usable, so run it).
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v python3.10; return 0
  fi
  # 2. pyenv's own 3.10 builds, newest first.
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(ls -d "$(pyenv root)"/versions/3.10* 2>/dev/null | sort -Vr); do
      if [ -x "$candidate/bin/python" ]; then echo "$candidate/bin/python"; return 0; fi
    done
  fi
  for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  # 3. a uv-managed interpreter.
  if command -v uv >/dev/null 2>&1; then
    candidate=$(uv python find 3.10 2>/dev/null || true)
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  fi
  return 1
}

want=$(cat requirements.txt requirements.lock | sha256sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python310); then
    echo "Geen Python 3.10 gevonden. Rasa 3.6 heeft Python 3.10 nodig: installeer die met 'pyenv install 3.10' of 'uv python install 3.10' en start opnieuw." >&2
    exit 1
  fi
  echo "==> .venv aanmaken met $PY"
  "$PY" -m venv "$VENV"
fi

echo "==> Pakketten installeren in .venv (eerste keer: enkele minuten, ongeveer 3 GiB)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.0"
# One pip call with the lock as constraints: see the comment in requirements.txt.
mkdir -p var/logs
"$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    -r requirements.txt -c requirements.lock > var/logs/pip-install.log 2>&1 &
pip_pid=$!
started=$SECONDS
while kill -0 "$pip_pid" 2>/dev/null; do
  sleep 1
  if (( (SECONDS - started) % 15 == 0 )) && kill -0 "$pip_pid" 2>/dev/null; then
    echo "    ... nog bezig met installeren ($((SECONDS - started)) s)"
  fi
done
if ! wait "$pip_pid"; then
  tail -n 30 var/logs/pip-install.log >&2
  echo "Installeren is mislukt; het hele log staat in var/logs/pip-install.log." >&2
  exit 1
fi
grep -E '^Successfully installed' var/logs/pip-install.log | cut -c1-200 || true
"$VENV/bin/python" -m pip check
echo "$want" > "$STAMP"
echo "==> .venv klaar"
