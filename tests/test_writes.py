"""Writes never touch the live database file: a copy is changed and swapped in atomically, writers queue,
readers keep reading, and many threads query one read-only database side by side."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from smarketing import store
from smarketing.store import writes

LEADS = "lead_id,created_at,source\n{rows}"


def leads_csv(tmp_path, name: str, ids) -> str:
    path = tmp_path / name
    path.write_text(LEADS.format(rows="".join(f"{i},2025-01-0{1 + n % 9},Ads\n" for n, i in enumerate(ids))))
    return str(path)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path) -> int:
    con = store.connect(path, read_only=True)
    try:
        return int(con.table("leads").count().execute())
    finally:
        con.disconnect()


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "crm.duckdb"
    with store.writing(path) as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "a.csv", ["A1", "A2"])})
    return path


def test_a_write_replaces_the_file_and_leaves_nothing_behind(db, tmp_path):
    before = writes.version(db)
    with store.writing(db) as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "b.csv", ["B1"])})
    assert count(db) == 3 and writes.version(db) != before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("crm")) == ["crm.duckdb", "crm.duckdb.lock"]


def test_a_failed_import_leaves_the_file_byte_for_byte(db, tmp_path):
    before = digest(db)
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_id,created_at\nC1,2025-01-01\nC2,not a date\n")
    with pytest.raises(store.DataImportError, match="row 2"), store.writing(db) as con:
        store.import_files(con, {"leads": str(bad)})
    assert digest(db) == before and count(db) == 2
    assert not list(tmp_path.glob(f"crm.duckdb{writes.TMP_MARK}*"))


def test_a_reader_keeps_its_file_while_a_write_lands(db, tmp_path):
    reader = store.connect(db, read_only=True)
    with store.writing(db) as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "b.csv", ["B1", "B2"])})
    assert reader.table("leads").count().execute() == 2  # the file it opened
    assert count(db) == 4  # a new reader sees the new file
    reader.disconnect()


def test_a_killed_writers_copy_is_cleared_by_the_next_writer(db, tmp_path):
    stale = tmp_path / f"crm.duckdb{writes.TMP_MARK}dead"
    stale.write_bytes(b"half a database")
    with store.writing(db) as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "b.csv", ["B1"])})
    assert not stale.exists() and count(db) == 3


def test_writers_queue_and_every_import_lands(db, tmp_path):
    files = [leads_csv(tmp_path, f"w{n}.csv", [f"W{n}_{k}" for k in range(20)]) for n in range(4)]

    def write(path):
        with store.writing(db) as con:
            store.import_files(con, {"leads": path})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, files))
    assert count(db) == 2 + 4 * 20


def test_threads_query_one_read_only_database_side_by_side(demo_db):
    """Sixteen threads, each with its own cursor, run the same aggregation: no errors, same answers."""
    base = store.connect(demo_db, read_only=True)
    start = threading.Barrier(16)

    def work(_):
        con = store.thread_backend(base)
        start.wait()
        leads = con.table("leads")
        return [int(leads.filter(leads.source_group == g).count().execute()) for g in ("Paid search", "Events")]

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(work, range(16)))
    assert len({tuple(a) for a in answers}) == 1 and sum(answers[0]) > 0
    base.disconnect()


def test_the_app_cannot_read_files_through_sql(demo_db, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    con = store.connect(demo_db, read_only=True)
    with pytest.raises(Exception, match="(?i)permission|disabled|external"):
        store.raw(con).execute(f"SELECT * FROM read_csv({store.sql_string(str(secret))})")
    con.disconnect()


def test_a_write_keeps_the_files_permissions_and_follows_a_link(db, tmp_path):
    db.chmod(0o600)
    link = tmp_path / "current.duckdb"
    link.symlink_to(db)
    with store.writing(link) as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "b.csv", ["B1"])})
    assert link.is_symlink() and count(db) == 3
    assert db.stat().st_mode & 0o777 == 0o600
    with store.writing(tmp_path / "new.duckdb") as con:
        store.import_files(con, {"leads": leads_csv(tmp_path, "c.csv", ["C1"])})
    assert (tmp_path / "new.duckdb").stat().st_mode & 0o777 == 0o600


def test_a_writer_waits_for_the_lock_only_so_long(db):
    # flock locks belong to the open file: a second open in the same process waits like another process
    busy = pytest.raises(writes.WriteBusy, match=r"being written by process \d+")
    with writes.write_lock(db), busy, writes.write_lock(db, timeout=0.5):
        pass
    with writes.write_lock(db, timeout=0.5):  # free again
        pass
