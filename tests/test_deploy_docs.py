"""The documented reverse proxy must let through every public path of the web app, and nothing else.

An operator copies the nginx example from docs/deploy.md. When a route is added to the web app (the
guardian's ``/ouder/<token>`` was once forgotten) the example would answer 404 to a parent's
confirmation link; when the example lets through more than the web app serves, it invites somebody to
widen it. The README's list of public paths is held to the same routes.
"""
import re
from dataclasses import replace
from pathlib import Path

from bot.channels.webapp import create_app
from bot.ops.config import PROJECT_ROOT, load_settings

DEPLOY = (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SAMPLE = {"token": "abc123", "lead_id": "GP-ABC123", "filename": "gouden-poort-widget.js"}


def public_paths(tmp_path: Path) -> list:
    """One concrete example path per route of the web app, as a browser would request it."""
    app = create_app(replace(load_settings(), var_dir=tmp_path, channel_secret="k" * 32))
    paths = set()
    for resource in app.router.resources():
        info = resource.get_info()
        if "prefix" in info:                        # static files
            paths.add(info["prefix"].rstrip("/") + "/" + SAMPLE["filename"])
            continue
        template = info.get("path") or info.get("formatter")
        paths.add(re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "x"), template))
    return sorted(paths)


def nginx_locations():
    regexes = [re.compile(m) for m in re.findall(r"location ~ (\S+) \{", DEPLOY)]
    prefixes = [p for p in re.findall(r"location (/\S*) \{", DEPLOY) if p != "/"]
    return regexes, prefixes


def test_the_nginx_example_lets_every_web_app_path_through(tmp_path):
    regexes, prefixes = nginx_locations()
    assert regexes and prefixes, "docs/deploy.md has no nginx locations any more"
    blocked = [path for path in public_paths(tmp_path)
               if not any(r.search(path) for r in regexes) and not any(path.startswith(p) for p in prefixes)]
    assert blocked == [], f"the nginx example in docs/deploy.md answers 404 to: {blocked}"


def test_the_nginx_example_blocks_rasa_and_the_action_server():
    regexes, prefixes = nginx_locations()
    for path in ("/webhooks/rest/webhook", "/webhooks/gateway/webhook", "/conversations/x/tracker",
                 "/model", "/webhook", "/status", "/api/chat", "/socket.io/"):
        assert not any(r.search(path) for r in regexes) and not any(path.startswith(p) for p in prefixes), path


def test_the_readme_lists_every_public_path(tmp_path):
    sentence = README.split("die alleen de paden van de webapp doorlaat", 1)[1].split(").", 1)[0]
    listed = re.findall(r"`(/[^`]*)`", sentence)
    prefixes = [item for item in listed if item != "/" and (item.endswith("/") or item == "/adviseur")]
    missing = [path for path in public_paths(tmp_path)
               if path not in listed and not any(path.startswith(prefix) for prefix in prefixes)]
    assert missing == [], f"README's list of public paths misses: {missing}"
