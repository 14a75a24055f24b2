"""`python -m bot run` (behind `make run`): starts everything, prints the URLs, Ctrl-C stops it all."""
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from bot.ops.config import PROJECT_ROOT
from tests.stack import free_port

pytestmark = pytest.mark.e2e


def _children_alive(pids):
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split()[2] != "Z":
                    alive.append(pid)
        except (ProcessLookupError, FileNotFoundError):
            pass
    return alive


def _descendants(pid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    parents = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        parents.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_run_starts_all_services_and_ctrl_c_stops_them(tmp_path):
    ports = {"GP_RASA_PORT": free_port(), "GP_ACTION_PORT": free_port(), "GP_WEB_PORT": free_port()}
    env = dict(os.environ, GP_VAR_DIR=str(tmp_path), TELEGRAM_BOT_TOKEN="",
               **{key: str(value) for key, value in ports.items()})
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Stoppen: Ctrl-C" in line:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{ports['GP_WEB_PORT']}/" in output, output
        page = httpx.get(f"http://127.0.0.1:{ports['GP_WEB_PORT']}/", timeout=5)
        assert page.status_code == 200 and "Gouden Poort" in page.text
        status = httpx.get(f"http://127.0.0.1:{ports['GP_RASA_PORT']}/webhooks/gateway/", timeout=5)
        assert status.status_code == 200                      # Rasa is ready (its HTTP API stays off)
        children = _descendants(proc.pid)
        assert len(children) >= 3

        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        assert proc.returncode == 0
        time.sleep(0.5)
        assert _children_alive(children) == []
        assert (tmp_path / "leads.db").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
