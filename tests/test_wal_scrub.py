"""Erased text does not stay readable in SQLite's files (issue 25 item 3): secure_delete overwrites
freed pages and a TRUNCATE checkpoint after erasure empties the ``*-wal`` file."""
from pathlib import Path

from bot.store.db import checkpoint, new_session
from bot.store.erasure import delete_tracker_events
from sqlalchemy import text

SECRET = "kerem.vandijk.uniek@example.org"


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_deleted_text_is_gone_from_the_database_and_its_wal(tmp_path):
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    with new_session(url) as session, session.begin():
        session.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        for i in range(50):
            session.execute(text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
                            {"s": "web-x", "d": f'{{"text": "mijn mail is {SECRET} {i}"}}'})
        session.execute(text("INSERT INTO events (sender_id, data) VALUES ('web-y', 'blijft')"))
    assert SECRET.encode() in _raw(db)
    assert delete_tracker_events(url, "web-x") == 50
    checkpoint(url)
    assert SECRET.encode() not in _raw(db)
    wal = Path(str(db) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
