"""`smarketing leads` gives the lead lists exactly as the pages' downloads do, masked unless --unmask."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from apptest import run_page
from streamlit.testing.v1 import AppTest

from smarketing.cli import main

ROOT = Path(__file__).resolve().parents[1]


def cli(capsysbinary, *args) -> bytes:
    assert main(["leads", *args]) == 0
    return capsysbinary.readouterr().out


def window(at: AppTest) -> list[str]:
    """The page's date window as CLI options."""
    params = {k: v if isinstance(v, str) else v[0] for k, v in at.query_params.items()}
    return ["--since", params["since"], "--until", params["until"]]


def test_a_quadrant_from_the_cli_is_the_pages_download(demo_env, downloads, capsysbinary):
    at = run_page("fit_interest", timeout=240)
    assert not at.exception
    page = downloads["leads_hot.csv"]
    assert cli(capsysbinary, "--db", demo_env, "--quadrant", "hot", *window(at)) == page
    frame = pd.read_csv(io.BytesIO(page))
    assert {"lead_id", "company", "email", "phone", "fit", "interest", "quadrant"} <= set(frame.columns)
    assert set(frame.quadrant) == {"hot"} and frame.email.str.fullmatch(r".\*\*\*@\S+").all()


def test_the_waiting_list_from_the_cli_is_the_pages_download(demo_env, downloads, capsysbinary):
    at = run_page("lead_flow", timeout=240)
    assert not at.exception
    page = downloads["leads_waiting.csv"]
    assert cli(capsysbinary, "--db", demo_env, "--list", "waiting", *window(at)) == page
    assert len(pd.read_csv(io.BytesIO(page))) > 0


def test_unmask_is_explicit_and_lists_are_checked(demo_env, capsysbinary):
    masked = pd.read_csv(io.BytesIO(cli(capsysbinary, "--db", demo_env, "--limit", "50")))
    full = pd.read_csv(io.BytesIO(cli(capsysbinary, "--db", demo_env, "--limit", "50", "--unmask")))
    assert len(full) == 50 and full.lead_id.tolist() == masked.lead_id.tolist()
    assert full.email.dropna().str.len().gt(0).all() and not full.email.str.contains(r"\*\*\*").any()
    assert masked.phone.dropna().str.fullmatch(r"'?(\+\d{1,3} )?\*\*\* \*\*\* \d{4}").all()
    assert set(masked.quadrant) <= {"hot", "nurture", "low_cost_followup", "drop"}
    assert main(["leads", "--db", demo_env, "--list", "waiting", "--quadrant", "hot"]) == 1
    assert main(["leads", "--db", demo_env, "--quadrant", "lukewarm"]) == 1
