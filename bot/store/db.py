"""Engine and session handling for the lead store (SQLAlchemy 1.4, 2.0-style API).

The schema is owned by Alembic: ``ensure_schema`` upgrades any database to the newest revision, so a
fresh SQLite file and a long-lived PostgreSQL database follow the same path.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=None)
def get_engine(url: str) -> Engine:
    """One engine per URL per process; the action server calls this on every request."""
    engine = _make_engine(url)
    ensure_schema(engine)
    return engine


def checkpoint(*urls: Optional[str]) -> None:
    """After erasing or purging on SQLite: copy the WAL back into the database and empty the
    ``*-wal`` file (``wal_checkpoint(TRUNCATE)``), so deleted text is not left readable there while
    the stack runs (issue 25). Other databases: nothing to do. Best effort: a busy reader only
    delays the truncation to the next checkpoint."""
    for url in urls:
        if not url or not url.startswith("sqlite") or url.endswith(":memory:"):
            continue
        engine = _make_engine(url) if url not in _checkpoint_engines else _checkpoint_engines[url]
        _checkpoint_engines[url] = engine
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


_checkpoint_engines: dict = {}


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def ensure_schema(engine: Engine) -> None:
    migrate(engine, "heads")


def migrate(engine: Engine, target: str, down: bool = False) -> None:
    """Upgrade (or downgrade) to ``target`` in one transaction.

    On SQLite, Alembic's batch mode rebuilds a table to change a column (copy, drop, rename). With
    foreign keys on, dropping the old table would cascade into every child row (``ON DELETE
    CASCADE``), so the rebuild runs with foreign keys off, as SQLite's own ALTER TABLE procedure
    prescribes; the pragma only works outside a transaction, hence the separate step.
    """
    cfg = alembic_config(str(engine.url))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                (command.downgrade if down else command.upgrade)(cfg, target)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


def new_session(url: str) -> Session:
    return session_factory(url)()
