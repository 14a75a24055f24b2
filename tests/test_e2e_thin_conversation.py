"""The whole thin conversation over Rasa's REST channel, ending in the lead export."""
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def test_greeting_discloses_ai_and_intake_stores_lead(stack):
    sender = "e2e-thin-1"
    greeting = stack.texts(sender, "hoi")
    assert "chatbot" in greeting.lower()

    assert "noemen" in stack.texts(sender, "/request_human")
    assert "oud" in stack.texts(sender, "Sam")
    assert "postcode" in stack.texts(sender, "17").lower()
    assert "doorgeven" in stack.texts(sender, "4331 ab")
    final = stack.texts(sender, "/affirm")
    assert "GP-" in final

    env = dict(os.environ, DATABASE_URL=stack.settings.database_url)
    exported = subprocess.run([sys.executable, "-m", "bot", "leads", "export"], env=env,
                              capture_output=True, text=True, check=True)
    leads = [lead for lead in json.loads(exported.stdout) if lead["conversation_id"] == sender]
    assert len(leads) == 1
    lead = leads[0]
    assert lead["age"] == 17
    assert lead["postcode"].startswith("4331")
    assert lead["channel"] == "rest"
    assert lead["consent_at"]
    assert lead["id"] in final
