"""Numbers the Lead flow and Attribution pages used to work out themselves, now one hop from the page in the
package (review of issue 16, item 4): returns without a reason, and the removal effect beside the models'
disagreement. Hand-counted on a few rows."""

from __future__ import annotations

import pandas as pd

from smarketing.attribution.report import disputed_effects
from smarketing.leadflow.sla import NO_REASON, SlaReport


def test_returns_without_a_reason_are_counted_in_the_report():
    reasons = pd.DataFrame({"return_reason": ["not ready", NO_REASON, "wrong fit"], "returns": [4, 3, 2]})
    empty = pd.DataFrame()
    report = SlaReport(24.0, None, empty, empty, empty, empty, reasons, empty, empty)
    assert report.returns_without_reason == 3
    report = SlaReport(24.0, None, empty, empty, empty, empty, reasons.iloc[[0, 2]], empty, empty)
    assert report.returns_without_reason == 0


def test_removal_effects_beside_the_models_disagreement_most_disputed_first():
    effects = pd.DataFrame({"channel": ["Email", "Paid", "Social"], "removal_effect": [0.5, 0.3, 0.1],
                            "value_removal_effect": [0.4, 0.4, 0.2]})
    # shares of two models: Email 0.5 / 0.3 (spread 0.2), Paid 0.3 / 0.6 (0.3), Social 0.2 / 0.1 (0.1)
    shares = pd.DataFrame({"channel": ["Email", "Paid", "Social"], "first_touch": [0.5, 0.3, 0.2],
                           "last_touch": [0.3, 0.6, 0.1], "spread": [0.5 - 0.3, 0.6 - 0.3, 0.2 - 0.1]})
    out = disputed_effects(effects, shares)
    assert out.channel.tolist() == ["Paid", "Email", "Social"]
    assert out.removal_effect.tolist() == [0.3, 0.5, 0.1] and "first_touch" not in out.columns
