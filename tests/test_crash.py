"""Crash safety: an import process killed (SIGKILL) at random moments leaves the old data or the new data,
never half, and the next import works."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from smarketing import store
from smarketing.store import writes

ROWS = 150_000
CLI = [sys.executable, "-c", "import sys; from smarketing.cli import main; sys.exit(main())"]


def counts(path) -> tuple[int, int]:
    con = store.connect(path, read_only=True)
    try:
        return int(con.table("leads").count().execute()), int(con.table("stage_changes").count().execute())
    finally:
        con.disconnect()


def big_import(tmp_path) -> dict[str, str]:
    leads, stages = tmp_path / "leads.csv", tmp_path / "stages.csv"
    with leads.open("w") as fh:
        fh.write("lead_id,created_at,source,email\n")
        fh.writelines(f"N{i},2025-03-{1 + i % 28:02d} 10:00:00,Ads,n{i}@example.com\n" for i in range(ROWS))
    with stages.open("w") as fh:
        fh.write("lead_id,stage,entered_at\n")
        fh.writelines(f"N{i},Lead,2025-03-{1 + i % 28:02d} 11:00:00\n" for i in range(ROWS))
    return {"--leads": str(leads), "--stage-changes": str(stages)}


def run_import(db, files) -> subprocess.Popen:
    args = [*CLI, "import", "--db", str(db)] + [x for pair in files.items() for x in pair]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_at_random_points_never_leaves_half_an_import(tmp_path):
    db = tmp_path / "crm.duckdb"
    seed = tmp_path / "seed.csv"
    seed.write_text("lead_id,created_at\nOLD1,2025-01-01\nOLD2,2025-01-02\n")
    with store.writing(db) as con:
        store.import_files(con, {"leads": str(seed)})
    old = counts(db)
    files = big_import(tmp_path)

    # one clean run on a copy tells how long an import takes here
    probe = tmp_path / "probe.duckdb"
    probe.write_bytes(db.read_bytes())
    started = time.monotonic()
    proc = run_import(probe, files)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    duration = time.monotonic() - started
    new = counts(probe)
    assert new == (old[0] + ROWS, ROWS)

    rng = random.Random(7)
    outcomes = []
    for _ in range(6):
        proc = run_import(db, files)
        time.sleep(rng.uniform(0.05, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now = counts(db)  # the database opens, and holds one whole state
        assert now in (old, new), now
        outcomes.append(now == new)
        if now == new:  # landed before the kill: start again from the old data
            db.unlink()
            with store.writing(db) as con:
                store.import_files(con, {"leads": str(seed)})

    proc = run_import(db, files)  # the lock is free and leftovers are cleared
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    assert counts(db) == new
    assert not list(tmp_path.glob(f"crm.duckdb{writes.TMP_MARK}*"))
    assert not all(outcomes), "every kill came after the import had landed: the test killed nothing"
