"""Cells and their keys: a key changes with what decides a cell's result and with nothing else;
route and compare cells are batched by network variant; the generator is deterministic."""

from __future__ import annotations

import sys
from datetime import date

from network.loader import load_network
from sweep.cells import Cell, Inputs, cells, tasks, unique
from sweep.generator import csv_text, generate
from sweep.spec import load_spec
from tests.sweep.conftest import ROOT, plans_spec, queries_spec


def inputs(spec, network="n", sets=None, scenario=None, ids=None) -> Inputs:
    files = {f: "digest-" + f.name for f in spec.scenario_data}
    files.update(scenario or {})
    count = len(spec.sets)
    return Inputs(network, tuple(sets or [f"set{i}" for i in range(count)]), files,
                  tuple(ids or [("a", "b", "c")] * count))


def keys(spec, **kw) -> list[str]:
    return [c.key for c in cells(spec, inputs(spec, **kw))]


def test_keys_follow_the_inputs(tmp_path):
    """The network, a set, a scenario file's bytes, a parameter value or a run setting change
    the keys they decide; the same inputs give the same keys."""
    spec = load_spec(plans_spec(tmp_path))
    base = keys(spec)
    assert len(base) == len(set(base)) == 8
    assert keys(spec) == base
    assert set(keys(spec, network="other")).isdisjoint(base)
    changed_set = keys(spec, sets=["set0", "other"])
    assert changed_set[:4] == base[:4] and set(changed_set[4:]).isdisjoint(base)
    rail = tmp_path / "rail.toml"
    assert set(keys(spec, scenario={rail: "edited"})).isdisjoint(base)
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(spec_file.read_text().replace("[1.0, 1.3]", "[1.0, 1.2]"))
    moved = keys(load_spec(tmp_path / "spec.toml"))
    assert moved[0::2] == base[0::2] and set(moved[1::2]).isdisjoint(base)
    (tmp_path / "spec.toml").write_text((tmp_path / "spec.toml").read_text().replace(
        'solver = "greedy"', 'solver = "greedy"\nseed = 3'))
    assert set(keys(load_spec(tmp_path / "spec.toml"))).isdisjoint(base)


def test_keys_ignore_labels_and_paths(tmp_path):
    """Renaming a column or moving the spec leaves the keys: a finished cell is found again."""
    spec = load_spec(plans_spec(tmp_path))
    text = (tmp_path / "spec.toml").read_text().replace('name = "tiny plans"', 'name = "renamed"')
    text = text.replace('files = [', 'label = "closed"\nfiles = [')
    other = tmp_path / "moved"
    other.mkdir()
    (other / "spec.toml").write_text(text.replace('"rail.toml"', f'"{tmp_path / "rail.toml"}"'))
    moved = load_spec(other / "spec.toml")
    assert moved.columns[1].label == "closed"
    assert keys(moved) == keys(spec)


def test_query_cells_are_batched_by_variant(tmp_path):
    """12 consignments × 4 variants, 7 per task: 2 tasks per variant, each of one variant."""
    spec = load_spec(queries_spec(tmp_path))
    ids = [tuple(f"c{i}" for i in range(12))]
    found = cells(spec, inputs(spec, ids=ids))
    assert len(found) == 48
    batches = tasks(found, spec.run.batch)
    assert [len(t.cells) for t in batches] == [7, 5] * 4
    assert all(len({c.group.variant for c in t.cells}) == 1 for t in batches)
    assert [c.key for t in batches for c in t.cells] == [c.key for c in found]


def test_plan_cells_are_one_task_each_and_duplicates_run_once(tmp_path):
    """A plan is one task; two cells with the same inputs (a value equal to another's) share
    their key and are computed once."""
    spec = load_spec(plans_spec(tmp_path))
    found = cells(spec, inputs(spec))
    twin = Cell(found[0].key, found[1].group)
    assert [t.cells for t in tasks(unique([*found, twin]), 1000)] == [(c,) for c in found]


def test_the_generator_is_deterministic_and_the_benchmark_uses_it(tmp_path):
    """Same arguments, same rows; `bench/generate_consignments.py` writes the same CSV."""
    network = load_network(None)
    rows = generate(30, 4, date(2026, 11, 2), 7, False, network)
    assert rows == generate(30, 4, date(2026, 11, 2), 7, False)
    assert rows != generate(30, 5, date(2026, 11, 2), 7, False, network)
    assert all(r["ready"].startswith("2026-11-0") for r in rows)
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_consignments import write

    out = tmp_path / "generated.csv"
    write(rows, out)
    assert out.read_text(encoding="utf-8") == csv_text(rows)
