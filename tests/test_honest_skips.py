"""Honest skips (tests/services.py, tests/conftest.py): a missing service skips a test with what to start,
GP_REQUIRE_SERVICES=1 (CI) turns that skip into a failure, and a run ends with one line that names what
was skipped and why. Proven on a tiny test file in a separate pytest run, with PostgreSQL and Redis
pointed at a port where nothing listens."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import skip_summary

ROOT = Path(__file__).resolve().parents[1]

TINY = '''
from tests.services import require_redis, temporary_pg_database


def test_needs_redis():
    require_redis()


def test_needs_a_throw_away_database():
    with temporary_pg_database() as url:
        assert url


def test_needs_nothing():
    assert True
'''


@pytest.fixture(scope="module")
def closed_port():
    """A port bound but not listening: connecting is refused at once, and nobody else gets it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def run_pytest(tmp_path: Path, port: int, *args: str, require: bool = False) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")   # this directory is the root: not the project's settings
    (tmp_path / "test_tiny.py").write_text(TINY)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GP_", "PYTEST_"))}
    env.update(PYTHONPATH=str(ROOT), GP_TEST_REDIS_PORT=str(port),
               GP_TEST_PG_URL=f"postgresql://postgres@127.0.0.1:{port}/postgres")
    if require:
        env["GP_REQUIRE_SERVICES"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
                           "-q", *args, str(tmp_path / "test_tiny.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def summary_lines(output: str):
    return [line for line in output.splitlines() if line.startswith("Overgeslagen:")]


def test_with_the_flag_a_missing_service_fails_with_what_to_start(tmp_path, closed_port):
    result = run_pytest(tmp_path, closed_port, require=True)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(r"2 failed, 1 passed", out), out
    assert f"Redis ontbreekt op 127.0.0.1:{closed_port}: start hem met" in out
    assert f"PostgreSQL ontbreekt op 127.0.0.1:{closed_port}" in out
    assert "skipped" not in out and summary_lines(out) == [], out


def test_without_the_flag_it_skips_and_one_line_names_what_and_why(tmp_path, closed_port):
    result = run_pytest(tmp_path, closed_port, "-n", "2", "--dist", "loadfile")   # as make test runs it
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "1 passed, 2 skipped" in out, out
    [line] = summary_lines(out)
    assert line.startswith("Overgeslagen: 2 tests (1× "), line
    assert f"PostgreSQL ontbreekt op 127.0.0.1:{closed_port} (user postgres, trust): start hem met" in line
    assert f"Redis ontbreekt op 127.0.0.1:{closed_port}: start hem met" in line


def test_nothing_skipped_no_line(tmp_path, closed_port):
    result = run_pytest(tmp_path, closed_port, "-k", "needs_nothing")
    out = result.stdout + result.stderr
    assert result.returncode == 0 and "1 passed" in out, out
    assert summary_lines(out) == [] and "Overgeslagen" not in out, out


def test_summary_groups_reasons_most_frequent_first():
    assert skip_summary([]) == ""
    assert skip_summary(["Chromium ontbreekt"]) == "Overgeslagen: 1 test (Chromium ontbreekt)"
    assert skip_summary(["A ontbreekt"] * 3) == "Overgeslagen: 3 tests (A ontbreekt)"
    assert (skip_summary(["Chromium ontbreekt", "PostgreSQL ontbreekt", "PostgreSQL ontbreekt"])
            == "Overgeslagen: 3 tests (2× PostgreSQL ontbreekt; 1× Chromium ontbreekt)")


# The skips that remain outside tests/services.py: none is about a missing service.
OTHER_SKIPS = {
    "test_handoff_delivery.py": "openssl CLI not available",
    "test_attacker.py": "no network address besides loopback",
}


def test_every_service_skip_goes_through_tests_services():
    """A new ``pytest.skip`` for an absent service elsewhere would escape GP_REQUIRE_SERVICES."""
    found = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name in ("services.py", Path(__file__).name):
            continue
        text = path.read_text()
        for match in re.finditer(r"pytest\.skip\(|importorskip\(|mark\.skipif|mark\.skip\b", text):
            found.setdefault(path.name, []).append(text[match.start():match.start() + 120])
    assert sorted(found) == sorted(OTHER_SKIPS), found
    for name, calls in found.items():
        assert len(calls) == 1 and OTHER_SKIPS[name] in calls[0], (name, calls)
