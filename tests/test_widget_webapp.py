"""The web app's pages and widget config, and the socket.io channel's input cleaning (no Rasa, no browser)."""
from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer

from bot.ops.config import load_settings
from bot.channels.socketio_channel import clean_metadata, clean_region
from bot.channels.webapp import WEB_DIR, create_app


async def client_for(rasa_url="http://127.0.0.1:5999"):
    settings = replace(load_settings(), rasa_url=rasa_url)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


async def test_widget_config_points_at_rasa_and_allows_embedding():
    client = await client_for()
    try:
        response = await client.get("/widget-config.json")
        assert response.status == 200
        assert (await response.json())["socketUrl"] == "http://127.0.0.1:5999"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        script = await client.get("/static/gouden-poort-widget.js")
        assert script.status == 200 and script.headers["Access-Control-Allow-Origin"] == "*"
        for asset in ("/static/widget.css", "/static/vendor/socket.io.min.js"):
            assert (await client.get(asset)).status == 200
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
        assert "script-src 'self'" in csp and "ws://127.0.0.1:5999" in csp
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


def test_socket_metadata_is_reduced_to_known_keys():
    assert clean_metadata({"region": "Zeeland", "message_id": "abc_1", "evil": "x"}) == {
        "source": "web-widget", "region": "zeeland", "message_id": "abc_1"}
    assert clean_metadata('{"region": "../../etc"}') == {"source": "web-widget"}
    assert clean_metadata("not json") == {"source": "web-widget"}
    assert clean_metadata(["x"]) == {}
    assert clean_region("noord-holland") == "noord-holland" and clean_region(5) is None


async def test_web_app_serves_the_counsellors_signed_status_links(tmp_path, monkeypatch):
    """The hand-off e-mail links point at this app; a forged signature changes nothing."""
    monkeypatch.setenv("GP_LINK_SECRET", "test-geheim-van-minstens-32-bytes-lang")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    from bot.handoff.links import sign
    client = await client_for()
    try:
        forged = await client.get("/lead/GP-ABCDEF/status", params={"s": "in_contact", "sig": "0" * 64})
        assert forged.status == 403
        assert "text/html" in forged.headers["Content-Type"]
        genuine = await client.get("/lead/GP-ABCDEF/status",
                                   params={"s": "in_contact", "sig": sign("test-geheim-van-minstens-32-bytes-lang", "GP-ABCDEF", "in_contact")})
        assert genuine.status == 404  # signature accepted, but there is no such lead
    finally:
        await client.close()


async def test_rest_fallback_forwards_to_rasa_and_says_so_in_dutch_when_rasa_is_down():
    """``/api/chat`` passes the message to Rasa's REST channel (over httpx) and returns its replies."""
    from aiohttp import web

    seen = []

    async def rest_webhook(request):
        seen.append(await request.json())
        return web.json_response([{"recipient_id": "s1", "text": "Hoi!"}])

    rasa = web.Application()
    rasa.router.add_post("/webhooks/rest/webhook", rest_webhook)
    fake_rasa = TestServer(rasa, host="127.0.0.1")
    await fake_rasa.start_server()
    rasa_url = str(fake_rasa.make_url("")).rstrip("/")
    client = await client_for(rasa_url)
    try:
        response = await client.post("/api/chat", json={"sender": "s1", "message": "hallo"})
        assert response.status == 200 and await response.json() == [{"recipient_id": "s1", "text": "Hoi!"}]
        assert seen == [{"sender": "s1", "message": "hallo"}]
        empty = await client.post("/api/chat", json={"sender": "s1", "message": "  "})
        assert empty.status == 400 and (await empty.json())["error"] == "Leeg bericht."
    finally:
        await client.close()
        await fake_rasa.close()
    down = await client_for(rasa_url)  # the fake Rasa is gone now
    try:
        response = await down.post("/api/chat", json={"sender": "s1", "message": "hallo"})
        assert response.status == 503 and "niet kwijt" in (await response.json())["error"]
    finally:
        await down.close()


def test_pages_are_autoescaped_templates():
    from bot.channels.webapp import PAGES

    html = PAGES.get_template("index.html").render(region='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in html and "&#34;&gt;&lt;script&gt;" in html
