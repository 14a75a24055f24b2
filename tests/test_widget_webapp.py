"""The web app's pages and widget config, and the gateway's metadata cleaning (no Rasa, no browser)."""
from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer

from bot.ops.config import load_settings
from bot.channels.identity import clean_metadata, clean_region
from bot.channels.webapp import WEB_DIR, create_app


async def client_for(rasa_url="http://127.0.0.1:5999", **overrides):
    settings = replace(load_settings(), rasa_url=rasa_url, channel_secret="kanaal-geheim",
                       identity_secret="identiteit-geheim", **overrides)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


async def test_widget_config_points_at_the_web_app_only_and_allows_embedding():
    client = await client_for()
    try:
        response = await client.get("/widget-config.json")
        assert response.status == 200
        config = await response.json()
        assert config["sessionPath"] == "/chat/session" and config["messagePath"] == "/chat/message"
        assert "5999" not in str(config)                           # Rasa's address is nobody's business
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        script = await client.get("/static/gouden-poort-widget.js")
        assert script.status == 200 and script.headers["Access-Control-Allow-Origin"] == "*"
        assert (await client.get("/static/widget.css")).status == 200
    finally:
        await client.close()


async def test_demo_page_has_one_snippet_region_and_a_strict_csp():
    client = await client_for()
    try:
        response = await client.get("/?regio=noord-holland")
        html = await response.text()
        assert 'data-region="noord-holland"' in html
        assert html.count("<script") == 1
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "connect-src 'self';" in csp and "5999" not in csp
        hostile = await (await client.get('/?regio="><script>alert(1)</script>')).text()
        assert "alert(1)" not in hostile and 'data-region="zeeland"' in hostile
    finally:
        await client.close()


async def test_privacy_page_in_dutch_covers_the_essentials():
    client = await client_for()
    try:
        html = (await (await client.get("/privacy")).text()).lower()
        for phrase in ("ai-chatbot", "toestemming", "16 jaar", "verwijder mijn gegevens", "bewaren", "12 maanden"):
            assert phrase in html, phrase
        assert "{{" not in html
    finally:
        await client.close()


async def test_privacy_page_reads_its_periods_from_the_settings(monkeypatch):
    """/privacy names the same periods the purge applies (bot.store.retention)."""
    monkeypatch.setenv("GP_TRACKER_INACTIVITY_HOURS", "48")
    monkeypatch.setenv("GP_LEAD_RETENTION_MONTHS", "6")
    client = await client_for()
    try:
        page = " ".join((await (await client.get("/privacy")).text()).split())
        assert "uiterlijk 2 dagen na je laatste bericht" in page
        assert "6 maanden na je aanvraag" in page and "12 maanden" not in page
    finally:
        await client.close()


def test_widget_never_uses_html_sinks():
    source = (WEB_DIR / "static" / "gouden-poort-widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, sink


def test_gateway_metadata_is_reduced_to_known_keys():
    assert clean_metadata({"source": "web-widget", "region": "Zeeland", "message_id": "abc_1", "evil": "x"}) == {
        "source": "web-widget", "region": "zeeland", "message_id": "abc_1"}
    assert clean_metadata({"source": "admin", "region": "../../etc", "client_key": "1.2.3.4"}) == {}
    assert clean_metadata({"source": "telegram", "telegram_chat_id": 123, "client_key": "ab" * 16}) == {
        "source": "telegram", "telegram_chat_id": "123", "client_key": "ab" * 16}
    assert clean_metadata("not json") == {}
    assert clean_metadata(["x"]) == {}
    assert clean_region("noord-holland") == "noord-holland" and clean_region(5) is None


async def test_web_app_serves_the_counsellors_signed_status_links(tmp_path, monkeypatch):
    """The hand-off e-mail links point at this app; a forged signature changes nothing."""
    monkeypatch.setenv("GP_LINK_SECRET", "test-geheim-van-minstens-32-bytes-lang")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    from bot.handoff.links import sign
    client = await client_for()
    try:
        forged = await client.get("/lead/GP-ABCDEF/status", params={"s": "in_contact", "e": "9999999999",
                                                                    "sig": "0" * 64})
        assert forged.status == 400
        assert "text/html" in forged.headers["Content-Type"]
        sig = sign("test-geheim-van-minstens-32-bytes-lang", "GP-ABCDEF", "in_contact", 9999999999)
        genuine = await client.get("/lead/GP-ABCDEF/status", params={"s": "in_contact", "e": "9999999999", "sig": sig})
        assert genuine.status == 200 and "Er verandert pas iets als je op de knop klikt" in await genuine.text()
    finally:
        await client.close()


def test_pages_are_autoescaped_templates():
    from bot.channels.webapp import PAGES

    html = PAGES.get_template("index.html").render(region='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in html and "&#34;&gt;&lt;script&gt;" in html
