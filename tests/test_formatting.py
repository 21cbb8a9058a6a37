"""One rule for numbers: each kind formatted the same everywhere, unknown shown as "–" whatever shape of
missing value pandas hands over, machine values kept for CSV and JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smarketing import formatting as f


@pytest.mark.parametrize("missing", [None, float("nan"), np.float32("nan"), pd.NA, pd.NaT])
def test_every_kind_of_missing_value_is_a_dash(missing):
    assert {fmt(missing) for fmt in f.FORMATTERS.values()} == {"–"}


def test_the_kind_of_a_column_comes_from_its_name_or_its_values():
    frame = pd.DataFrame({"leads": [1200, 3], "conversion_from_previous": [0.5, 0.25], "median_days_to_close": [2.0, 3.5],
                          "cost_per_lead": [10.0, 12.5], "romi": [2.5, 1.0], "p_value": [0.0001, 0.2],
                          "weird": [0.5, 1.25], "stage": ["MQL", "SQL"]})
    assert f.kinds_of(frame) == {"leads": f.COUNT, "conversion_from_previous": f.SHARE,
                                 "median_days_to_close": f.DAYS, "cost_per_lead": f.MONEY, "romi": f.RATIO,
                                 "p_value": f.PVALUE, "weird": f.SCORE}
    shown = f.readable(frame)
    assert shown.iloc[0].tolist() == ["1,200", "50.0%", "2.0 d", "$10", "2.50×", "< 0.001", "0.5", "MQL"]


def test_counts_stay_integers_for_machines_and_nullable_counts_read_as_a_dash():
    frame = pd.DataFrame({"leads": [2296.0, np.nan], "share": [0.5, 0.25]})
    assert f.machine(frame)["leads"].tolist()[0] == 2296 and str(f.machine(frame)["leads"].dtype) == "Int64"
    assert f.readable(pd.DataFrame({"leads": pd.array([1, None], dtype="Int64")}))["leads"].tolist() == ["1", "–"]
