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
