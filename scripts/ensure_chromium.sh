#!/usr/bin/env bash
# Makes sure Debian's Chromium is present for the widget's browser tests (Playwright cannot
# download its own browsers here). Installs it when we are root with apt-get; otherwise it only
# explains what to install and the browser tests skip with the same hint. Never fails the build.
set -uo pipefail
CHROMIUM="${GP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Chromium installeren voor de browsertests (apt-get install chromium)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null \
     && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; then
    echo "    Chromium geïnstalleerd: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
  fi
  echo "    Chromium installeren is mislukt; de browsertests worden overgeslagen." >&2
  exit 0
fi
echo "Let op: $CHROMIUM ontbreekt. Installeer Chromium (Debian/Ubuntu: 'sudo apt-get install chromium')"
echo "        om de browsertests van de widget te draaien; nu worden ze overgeslagen."
exit 0
