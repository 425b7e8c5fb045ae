"""The sweep specification: what a valid spec expands to, and every problem of a bad one
reported at once as `file: key path: message`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from network.errors import FileFormatError
from sweep.cells import combinations, count_groups
from sweep.spec import REPEAT_SEED_STEP, load_spec, parse_spec
from tests.sweep.conftest import CLOSED, ROOT, plans_spec, write_spec


def problems_of(directory: Path, text: str) -> list[str]:
    path = write_spec(directory, text)
    with pytest.raises(FileFormatError) as caught:
        load_spec(path)
    return [str(p) for p in caught.value.problems]


def test_a_valid_spec_expands_sets_columns_and_parameters(tmp_path):
    """Generated weeks × seeds, the base column first, the overlay parameter in every column,
    its base value read from the scenario file."""
    spec = load_spec(plans_spec(tmp_path, weeks=3))
    assert [s.label for s in spec.sets] == ["week 2026-11-02 seed 1",
                                            f"week 2026-11-09 seed {1 + REPEAT_SEED_STEP}",
                                            f"week 2026-11-16 seed {1 + 2 * REPEAT_SEED_STEP}"]
    assert spec.sets[1].generated is not None and spec.sets[1].generated.start == date(2026, 11, 9)
    assert [c.label for c in spec.columns] == ["base", "Poland-Belarus border closed (again)"]
    (rail,) = spec.parameters
    assert rail.base == 1.0 and rail.values == (1.0, 1.3) and rail.keys == ("change[1].factor",)
    assert all(spec.parameters_of(c) == (rail,) for c in spec.columns)
    assert spec.overlays(spec.columns[0]) == (tmp_path / "rail.toml",)
    assert count_groups(spec) == 3 * 2 * 2


def test_a_parameter_of_a_column_file_varies_that_column_only(tmp_path):
    """A number of a file that a column names changes in that column; the base column does not
    multiply along it."""
    text = f"""name = "x"
[run]
solver = "greedy"
[[consignments]]
generate = {{ n = 5, start = 2026-11-02, days = 7 }}
[[scenario]]
files = ["{CLOSED}", "rail.toml"]
[[parameter]]
name = "rail_rate"
scenario = "rail.toml"
key = "change[1].factor"
values = [0.8, 1.0, 1.2]
"""
    spec = load_spec(write_spec(tmp_path, text))
    base, closed = spec.columns
    assert spec.parameters_of(base) == () and spec.overlays(base) == ()
    assert len(spec.parameters_of(closed)) == 1
    assert count_groups(spec) == 1 + 3


def test_one_at_a_time_moves_one_parameter_from_the_base_point(tmp_path):
    """Grid: the product of the values; one at a time: the base point, then each other value
    of each parameter with the others at base."""
    extra = """[[parameter]]
name = "time_limit"
key = "run.time_limit_s"
values = [5, 10, 20]
base = 10
"""
    grid = load_spec(plans_spec(tmp_path, extra=extra))
    assert len(combinations(grid, grid.columns[0])) == 2 * 3
    (tmp_path / "spec.toml").write_text((tmp_path / "spec.toml").read_text().replace(
        'name = "tiny plans"', 'name = "tiny plans"\ndesign = "one_at_a_time"'))
    oat = load_spec(tmp_path / "spec.toml")
    points = combinations(oat, oat.columns[0])
    assert points[0] == {"rail_rate": 1.0, "time_limit": 10}
    assert points[1:] == [{"rail_rate": 1.3, "time_limit": 10}, {"rail_rate": 1.0, "time_limit": 5},
                          {"rail_rate": 1.0, "time_limit": 20}]


def test_files_by_glob_are_one_set_each(tmp_path):
    """`file` may be a glob: one set per file, in name order, labelled by the label and the stem."""
    for week in (49, 48):
        (tmp_path / f"week{week}.csv").write_text("id,origin,destination,weight_kg,ready\n")
    spec = load_spec(write_spec(tmp_path, 'name = "x"\n[[consignments]]\nfile = "week*.csv"\nlabel = "Q4"\n'))
    assert [s.label for s in spec.sets] == ["Q4 week48", "Q4 week49"]
    assert spec.sets[0].file == (tmp_path / "week48.csv").resolve()


def test_every_problem_at_once(tmp_path):
    """One message per problem, each naming the key path, all in one error."""
    text = """name = ""
colour = "blue"
[run]
what = "plan"
solver = "gurobi"
time_limit_s = 0
eur_per_tco2 = -1
batch = 10
[[consignments]]
file = "missing.csv"
[[consignments]]
generate = { n = 0, start = 2026-11-02, days = 7, colour = 1 }
seeds = [1, 1]
[[scenario]]
files = ["nowhere.toml"]
[[parameter]]
name = "Rail Rate"
scenario = "rail.toml"
key = "change[3].factor"
values = [1, 1]
[[parameter]]
name = "carbon"
key = "run.eur_per_tco2"
values = [0, 100]
"""
    found = problems_of(tmp_path, text)
    spec = str(tmp_path / "spec.toml")
    expected = [
        "name: is empty",
        "colour: unknown key",
        "run.solver: unknown solver 'gurobi'",
        "run.time_limit_s: 0 is outside the allowed range: from 0.1 to 604,800 s",
        "run.eur_per_tco2: -1 is outside the allowed range: from 0 to 100,000 EUR/t",
        "run.batch: is for route and compare; run.what is 'plan'",
        "consignments[1].file: 'missing.csv' does not exist",
        "consignments[2].generate.colour: unknown key",
        "consignments[2].generate.n: must be a whole number from 1 to 100,000, not 0",
        "consignments[2].seeds: has a seed twice",
        "scenario[1].files[1]: 'nowhere.toml' does not exist",
        "parameter[1].name: 'Rail Rate' must be lower-case letters",
        "parameter[1].key: 'change[3].factor': change has 1 entries, not 3",
        "parameter[1].values[2]: 1 is given twice",
        "parameter[2].key: run.eur_per_tco2 changes nothing under objective 'cost'",
    ]
    for text in expected:
        assert any(line.startswith(f"{spec}: {text}") for line in found), (text, found)
    assert len(found) == len(expected)


@pytest.mark.parametrize(("text", "message"), [
    ("name = 'x'\n[[consignments]]\nfile = 'c.csv'\ngenerate = { n = 5, start = 2026-11-02, days = 7 }\n",
     "consignments[1]: give file (a consignments CSV or xlsx, or a glob) or generate, not both"),
    ("name = 'x'\n", "consignments: a sweep needs at least one [[consignments]] set"),
    ("name = 'x'\nbase_column = false\n[[consignments]]\n"
     "generate = { n = 5, start = 2026-11-02, days = 7 }\n",
     "scenario: no column: give [[scenario]] tables or leave base_column true"),
    ("name = 'x'\n[run]\nwhat = 'route'\nobjective = 'tme'\n",
     "run.objective: unknown objective 'tme'; did you mean 'time'?"),
    ("name = 'x'\n[run]\nwhat = 'compare'\nplan_outputs = true\n", "run.plan_outputs: is for plans"),
    ("name = 'x'\n[[consignments]]\ngenerate = { n = 5, start = 2026-11-02T09:00:00, days = 7 }\n",
     "consignments[1].generate.start: must be a TOML date (2025-10-06)"),
    ("name = 'x'\n[[parameter]]\nname = 'speed'\nkey = 'change[1].factor'\nvalues = [1]\n",
     "parameter[1].key: a scenario number needs scenario = FILE"),
    ("name = 'x'\n[[parameter]]\nname = 'limit'\nkey = 'run.time_limit'\nvalues = [1]\n",
     "parameter[1].key: unknown run setting 'time_limit'; did you mean 'time_limit_s'?"),
    ("name = 'x'\n[[parameter]]\nname = 'served'\nkey = 'run.seed'\nvalues = [1]\n",
     "parameter[1].name: 'served' is a column of the results"),
    ("name = 'x'\n[[parameter]]\nname = 'limit'\nkey = 'run.time_limit_s'\nvalues = [0.01, inf]\n",
     "parameter[1].values[1]: 0.01 is outside the allowed range: from 0.1 to 604,800 s"),
    ("name = 'x'\n[[parameter]]\nname = 'nodes'\nscenario = 'rail.toml'\nkey = 'change[1].mode'\n"
     "values = [1]\n",
     "parameter[1].key: 'change[1].mode' holds 'rail', not a number"),
    ("name = 'x'\n[[parameter]]\nname = 'limit'\nkey = 'run.time_limit_s'\nvalues = [3]\nbase = 700000\n",
     "parameter[1].base: 700000 is outside the allowed range: from 0.1 to 604,800 s"),
    ("name = 'x'\n[[parameter]]\nname = 'alt'\nkey = 'run.alternatives'\nvalues = [3]\nbase = 2.5\n",
     "parameter[1].base: must be a whole number, not 2.5"),
    ("name = 'x'\ndesign = 'one_at_a_time'\n", "design: one_at_a_time varies parameters one at a time"),
    ("name = = 'x'\n", "not valid TOML"),
])
def test_a_problem_is_named_by_its_key_path(tmp_path, text, message):
    """Each kind of mistake gives its own message at its own key path."""
    found = problems_of(tmp_path, text)
    assert any(line.startswith(f"{tmp_path / 'spec.toml'}: {message}") for line in found), found


def test_a_grid_too_large_is_refused(tmp_path):
    """A grid of more than 100,000 groups is a mistake: refused before anything runs."""
    values = ", ".join(str(1 + i / 1000) for i in range(400))
    text = ("name = 'x'\n[run]\nsolver = 'greedy'\n[[consignments]]\n"
            "generate = { n = 5, start = 2026-11-02, days = 7 }\nrepeat = 300\n"
            "[[parameter]]\nname = 'rail'\nscenario = 'rail.toml'\nkey = 'change[1].factor'\n"
            f"values = [{values}]\n")
    found = problems_of(tmp_path, text)
    assert found == [f"{tmp_path / 'spec.toml'}: the sweep has 120,000 set × column × parameter "
                     "combinations, more than 100,000: check the grids"]


def test_spec_file_that_is_not_utf8_or_a_directory(tmp_path):
    """The file itself: not UTF-8 (with its line), a directory."""
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b"name = 'caf\xe9'\n")
    with pytest.raises(FileFormatError, match=r"latin.toml:1: byte 0xE9 is not UTF-8"):
        load_spec(bad)
    with pytest.raises(FileFormatError, match="is a directory, not a sweep spec"):
        load_spec(tmp_path)


def test_parse_spec_resolves_paths_against_the_file(tmp_path):
    """Relative paths are read from the spec file's directory, not the working directory."""
    write_spec(tmp_path, "")
    spec = parse_spec('name = "x"\n[[scenario]]\nfiles = ["rail.toml"]\n[[consignments]]\n'
                      'generate = { n = 5, start = 2026-11-02, days = 7 }\n', tmp_path / "elsewhere.toml")
    assert spec.columns[1].files == (tmp_path / "rail.toml",)
    assert spec.columns[1].label == "Rail rates"


def test_the_shipped_example_is_valid():
    """examples/sweeps: 14 weeks × 3 columns × 3 rail rates, its scenarios valid on the default
    network (README's worked example)."""
    from network.loader import load_network
    from network.scenarios import load_scenarios

    spec = load_spec(ROOT / "examples" / "sweeps" / "border-closure-q4-2025.toml")
    assert len(spec.sets) == 14 and count_groups(spec) == 126
    assert spec.sets[0].generated is not None and spec.sets[0].generated.start == date(2025, 9, 29)
    assert spec.sets[-1].generated is not None and spec.sets[-1].generated.start == date(2025, 12, 29)
    assert [c.label for c in spec.columns] == ["base", "2025 closure as it happened",
                                               "border closed all quarter"]
    assert load_scenarios(list(spec.scenario_data), load_network(None))


def test_every_problem_at_once_even_beside_a_refused_entry(tmp_path):
    """A repeated parameter name beside a bad key path, a repeated column label beside an empty
    file list: both problems in one run, not the second after the first is fixed."""
    text = ("name = 'x'\n[[scenario]]\nlabel = 'closed'\nfiles = []\n[[scenario]]\nlabel = 'closed'\n"
            "files = ['rail.toml']\n"
            "[[parameter]]\nname = 'p2'\nscenario = 'rail.toml'\nkey = 'change[3].factor'\nvalues = [1]\n"
            "[[parameter]]\nname = 'p2'\nscenario = 'rail.toml'\nkey = 'change[1].factor'\nvalues = [1]\n")
    found = problems_of(tmp_path, text)
    spec = tmp_path / "spec.toml"
    for message in ("parameter[1].key: 'change[3].factor'",
                    "parameter[2].name: two parameters are named 'p2'",
                    "scenario[1].files: must be a list", "scenario: two columns are labelled 'closed'"):
        assert any(line.startswith(f"{spec}: {message}") for line in found), (message, found)
