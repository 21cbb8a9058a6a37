"""The configurable stage model: names, order, aliases, config errors."""

import pytest

from smarketing.stages import PACKAGED_STAGES as DEFAULT_STAGES
from smarketing.stages import StageConfigError, parse_stages


def test_default_main_line_and_side_stages():
    assert DEFAULT_STAGES.names == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]
    assert [s.name for s in DEFAULT_STAGES.side] == ["Evangelist", "Other"]
    assert DEFAULT_STAGES.owner("SQL") == "sales"


@pytest.mark.parametrize("value,expected", [
    ("Marketing Qualified Lead", "MQL"), ("marketingqualifiedlead", "MQL"), ("mql", "MQL"),
    ("SALES-QUALIFIED LEAD", "SQL"), ("  opportunity ", "Opportunity"), ("customer", "Customer"),
    ("evangelist", "Evangelist"), ("Disqualified", "Other"), ("MIL", "Lead"), ("unicorn", None),
])
def test_aliases_match_case_and_punctuation_insensitively(value, expected):
    assert DEFAULT_STAGES.canonical(value) == expected


def test_custom_chain():
    model = parse_stages("""
[[main]]
name = "MIL"
owner = "marketing"
[[main]]
name = "MQL"
owner = "marketing"
[[main]]
name = "SQL"
owner = "sales"
[[main]]
name = "OPP"
owner = "sales"
[[main]]
name = "CUS"
owner = "cs"
aliases = ["customer"]
""")
    assert model.names == ["MIL", "MQL", "SQL", "OPP", "CUS"]
    assert model.canonical("Customer") == "CUS"


@pytest.mark.parametrize("text,message", [
    ("[[main]]\nowner='x'\n", "needs a 'name'"),
    ("[[main]]\nname='A'\n", "at least two"),
    ("[[main]]\nname='A'\n[[main]]\nname='B'\naliases=['a']\n", "names both stage"),
    ("[[main]\nname=", "not valid TOML"),
])
def test_config_errors_name_the_problem(text, message):
    with pytest.raises(StageConfigError, match=message):
        parse_stages(text, "my-stages.toml")


def test_stage_file_from_the_environment(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "stages.toml"
    path.write_text('[[main]]\nname = "MIL"\n[[main]]\nname = "MQL"\n[[main]]\nname = "CUS"\n')
    code = "from smarketing.stages import active_stages; print(active_stages().names)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"SMARKETING_STAGES": str(path), "PATH": ""})
    assert out.stdout.strip() == "['MIL', 'MQL', 'CUS']"
