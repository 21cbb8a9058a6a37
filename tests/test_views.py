"""Saved views (smarketing.views): saved beside the database and read back as they were, hostile names refused or
made safe, a write that fails leaves the old view, writers one after the other."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import pytest

from smarketing import paths, views
from smarketing.views import View, ViewError


def sample(name="Weekly EMEA, paid", **kwargs) -> View:
    fields = dict(page="funnel", since=date(2026, 7, 1), until=date(2026, 9, 30), mode="period",
                  segments={"region": ("EMEA",), "source_group": ("Paid Search", "Paid Social")},
                  settings={"breakdown_by": "industry", "attr_models": ("markov", "linear")})
    return View(name=name, **{**fields, **kwargs})


def test_a_view_is_saved_beside_the_database_and_read_back(tmp_path):
    path = views.save_view(tmp_path, sample())
    assert path == tmp_path / "views" / "weekly-emea-paid.toml"
    assert views.load_view(tmp_path, "weekly-emea-paid") == sample()
    assert [v.name for v in views.list_views(tmp_path)] == ["Weekly EMEA, paid"]
    assert sample().query_params() == {"mode": "period", "since": "2026-07-01", "until": "2026-09-30",
                                       "region": ["EMEA"], "source_group": ["Paid Search", "Paid Social"]}
    assert sample().filters.segments == {"region": ("EMEA",), "source_group": ("Paid Search", "Paid Social")}
    assert views.load_view(tmp_path, "no-such-view") is None


def test_saving_under_the_same_name_updates_and_a_clash_is_refused(tmp_path):
    views.save_view(tmp_path, sample())
    views.save_view(tmp_path, sample(name="weekly EMEA,  paid", mode="cohort"))  # the same name: updated
    assert [(v.name, v.mode) for v in views.list_views(tmp_path)] == [("weekly EMEA,  paid", "cohort")]
    with pytest.raises(ViewError, match="same link name"):
        views.save_view(tmp_path, sample(name="Weekly-EMEA paid!"))  # another name, same link name
    assert views.delete_view(tmp_path, "weekly-emea-paid") and not views.list_views(tmp_path)
    assert not views.delete_view(tmp_path, "weekly-emea-paid")


@pytest.mark.parametrize("name,slug", [("../../etc/passwd", "etc-passwd"), ("CON", "_con"), ("a\\b:c*d", "a-b-c-d"),
                                       ("营销 周报", "营销-周报"), (".hidden", "hidden"), ("x" * 80, "x" * 80)])
def test_hostile_names_become_safe_file_names_inside_the_folder(tmp_path, name, slug):
    path = views.save_view(tmp_path, sample(name=name))
    assert path.name == f"{slug}.toml" and path.parent == tmp_path / "views"
    assert paths.safe_file_name(path.name) == path.name
    assert views.load_view(tmp_path, slug).name == name
    assert list((tmp_path / "views").glob("*.toml")) == [path]


@pytest.mark.parametrize("name,message", [("", "needs a name"), ("   ", "needs a name"), ("...", "no letter or digit"),
                                          ("a\nb", "one line"), ("x" * 81, "at most 80"), ("\x00", "one line")])
def test_names_that_cannot_name_a_view(name, message):
    with pytest.raises(ViewError, match=message):
        sample(name=name)


@pytest.mark.parametrize("link", ["../views/x", "..", "a/b", "x.toml", "%2e%2e", "/etc/passwd", "CON", "a\x00b"])
def test_hostile_links_are_refused(tmp_path, link):
    views.save_view(tmp_path, sample())
    with pytest.raises((ViewError, paths.UnsafeName)):
        views.load_view(tmp_path, link)


@pytest.mark.parametrize("change,message", [
    (dict(mode="monthly"), "mode must be one of cohort, period"),
    (dict(since=date(2026, 10, 1)), "starts (2026-10-01) after it ends (2026-09-30)"),
    (dict(until=None), "both its first and its last day"),
    (dict(page="../data"), "is not a page"),
    (dict(segments={"Region; DROP": ("x",)}), "is not a segment filter"),
    (dict(settings={"breakdown_by": 3}), "is not a page setting"),
])
def test_a_view_is_checked(change, message):
    with pytest.raises(ViewError, match=re.escape(message)):
        sample(**change)


def test_broken_files_are_left_out_of_the_list_and_named_when_opened(tmp_path):
    views.save_view(tmp_path, sample())
    folder = tmp_path / "views"
    (folder / "broken.toml").write_text("name = \n", "utf-8")
    (folder / "evil.toml").write_text('name = "x"\npage = "funnel"\n[filters]\nmode = "sideways"\n', "utf-8")
    (folder / "huge.toml").write_text("x" * (2 << 20), "utf-8")
    assert [v.slug for v in views.list_views(tmp_path)] == ["weekly-emea-paid"]
    with pytest.raises(ViewError, match="evil.toml: mode must be one of"):
        views.load_view(tmp_path, "evil")
    with pytest.raises(ViewError, match="huge.toml: the file is"):
        views.load_view(tmp_path, "huge")


def test_a_failed_write_leaves_the_old_view_and_no_temporary_file(tmp_path, monkeypatch):
    views.save_view(tmp_path, sample())
    before = (tmp_path / "views" / "weekly-emea-paid.toml").read_bytes()
    real = Path.write_text

    def half_written(self, text, *args, **kwargs):
        real(self, text[:20], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", half_written)
    with pytest.raises(OSError, match="disk full"):
        views.save_view(tmp_path, sample(mode="cohort"))
    monkeypatch.undo()
    assert (tmp_path / "views" / "weekly-emea-paid.toml").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "views").iterdir()) == ["views.lock", "weekly-emea-paid.toml"]


def test_writers_take_turns(tmp_path):
    """Twelve saves at once: every view saved whole (they queue on the folder's write lock)."""
    errors = []

    def save(i):
        try:
            views.save_view(tmp_path, sample(name=f"view {i}", settings={"breakdown_by": "x" * 500 * (i + 1)}))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    saved = {v.name: v for v in views.list_views(tmp_path)}
    assert sorted(saved) == sorted(f"view {i}" for i in range(12))
    assert all(len(saved[f"view {i}"].settings["breakdown_by"]) == 500 * (i + 1) for i in range(12))
