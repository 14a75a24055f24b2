import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """One real action server, Rasa server, web app, worker and local mailbox for the whole session
    (model loading takes ~30 s)."""
    from tests.stack import start_stack

    running = start_stack(tmp_path_factory.mktemp("stack"), with_web=True)  # the guardian's link page
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'leads.db'}"


# Honest skips (tests/services.py): a run ends with one line that names what was skipped and why.
# A wrapper, so the line comes after pytest's short summary, just above its final count; under
# pytest-xdist this runs in the controller, which holds every worker's reports.
@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    yield
    from tests.services import skip_reason, skip_summary

    line = skip_summary(skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    if line:
        terminalreporter.write_line(line, yellow=True, bold=True)
