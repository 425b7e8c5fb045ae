"""Hostile inputs through the CLI's entry point (`cli.run`, the exit codes of `main`): issue 12.

Every case asserts its exit code, a one-line message naming the problem on stderr (one line per
problem), no traceback, no file left behind (whole, partial or temporary) and inputs unchanged.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
import formats
from formats import to_csv

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = ROOT / "tests" / "data" / "networks"
SAMPLE = ROOT / "examples" / "consignments.csv"
SERVICES = ROOT / "network" / "data" / "services.csv"
LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]
HEADER = "id,origin,destination,weight_kg,volume_m3,ready,due,goods,value_eur\n"
ROW = "{id},Huy,Chengdu,100,1,{ready},{due},general,10\n"
HYPERLINK = '=HYPERLINK("http://x","y")'


# --- harness ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run printed and returned."""

    code: int
    out: str
    err: str

    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def invoke(*args: str) -> Outcome:
    """Run the CLI in process exactly as `python cli.py ARGS` would (exit code from `run`)."""
    with CliRunner().isolation() as (out, err, _):
        code = cli.run(list(args))
    return Outcome(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def refused(outcome: Outcome, code: int, *needles: str, lines: int = 1) -> None:
    """`outcome` failed with `code`, `lines` message lines on stderr containing every needle."""
    assert outcome.code == code, (outcome.code, outcome.err)
    assert "Traceback" not in outcome.out + outcome.err
    assert outcome.out == ""
    messages = outcome.error_lines()
    assert len(messages) == lines, messages
    assert all(m.startswith(("error: ", "cannot serve: ", "internal error in ", "interrupted"))
               for m in messages), messages
    for needle in needles:
        assert needle in outcome.err, (needle, outcome.err)


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class Workdir:
    """A scratch working directory whose inputs must stay unchanged and gain only `expect`ed files.

    The repository's inputs (default network, example consignments, fixture networks) are
    hashed too, so a run that wrote over any of them fails the test.
    """

    REPO_INPUTS = (ROOT / "network" / "data", ROOT / "examples", NETWORKS)

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expected: set[str] = set()
        self.repo = {str(r): _hashes(r) for r in self.REPO_INPUTS}
        self.before = _hashes(root)

    def write(self, name: str, text: str | bytes) -> Path:
        """An input file of the run (hashed like the others)."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        self.before = _hashes(self.root)
        return path

    def network(self, name: str, base: str = "valid", **replace: tuple[str, str]) -> Path:
        """A copy of fixture network `base`, each `file=(old, new)` replacement applied."""
        target = self.root / name
        shutil.copytree(NETWORKS / base, target)
        for file, (old, new) in replace.items():
            path = target / f"{file}.csv"
            text = path.read_text(encoding="utf-8")
            assert old in text, (file, old)
            path.write_text(text.replace(old, new), encoding="utf-8")
        self.before = _hashes(self.root)
        return target

    def expect(self, *names: str) -> None:
        """Files the run is meant to create (relative to the working directory)."""
        self.expected.update(names)

    def verify(self) -> None:
        for root, hashes in self.repo.items():
            assert _hashes(Path(root)) == hashes, f"an input under {root} changed"
        after = _hashes(self.root)
        assert {k: v for k, v in after.items() if k in self.before} == self.before, "an input changed"
        assert set(after) - set(self.before) == self.expected, sorted(set(after) - set(self.before))
        leftovers = list(self.root.rglob(".*.tmp"))
        assert not leftovers, leftovers
        dirs = {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_dir()}
        made = {d for d in dirs if not any(k == d or k.startswith(d + os.sep) for k in self.before)}
        assert made <= {str(Path(e).parent) for e in self.expected}, made


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workdir]:
    monkeypatch.chdir(tmp_path)
    workdir = Workdir(tmp_path)
    yield workdir
    workdir.verify()


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to load the network (the first work of every command) a bug (exit 70)."""

    def refuse(ctx: object) -> None:
        raise AssertionError("work started before the outputs were checked")

    monkeypatch.setattr(cli, "_network", refuse)


# --- §2 no traceback: instants ---------------------------------------------------------------------


@pytest.mark.parametrize(("args", "needle"), [
    (["route", *LANE[:6], "--ready", "9999-12-31T09:00"],
     "--ready 9999-12-31T09:00 (9999-12-31T08:00Z) is outside the supported range 1971-01-01 to "
     "2199-12-31 UTC"),
    (["route", *LANE[:6], "--ready", "0001-01-01T09:00"], "--ready 0001-01-01T09:00 (0001-01-01T"),
    (["compare", *LANE[:6], "--ready", "0001-01-01T00:00+00:00"], "is outside the supported range"),
    (["pareto", *LANE, "--due", "9999-12-31"], "--due 9999-12-31 (9999-12-31T15:59Z) is outside"),
    (["route", *LANE[:6], "--ready", "2199-12-20T09:00"], "plus 60 days (--horizon-days) runs past"),
    (["network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "9999-12-31"],
     "--from 9999-12-31 (9999-12-30T23:00Z) is outside"),
    # Inside the range as a local date, outside it as the UTC instant: the message says which.
    (["network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "1971-01-01"],
     "--from 1971-01-01 (1970-12-31T23:00Z) is outside"),
    (["network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "0001-01-01"], "--from 0001-01-01 is outside"),
    (["network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "2199-12-30"], "plus 14 days (--days)"),
])
def test_instant_outside_the_supported_range_is_refused(work, args, needle):
    """A flag's instant near the ends of the calendar is exit 2 naming the flag and the range."""
    refused(invoke(*args), 2, needle)


@pytest.mark.parametrize(("ready", "due", "needle"), [
    ("9999-12-31T09:00", "", "c.csv:2:6 (ready): ready 9999-12-31T09:00 (9999-12-31T08:00Z) is outside"),
    ("2026-12-01T09:00", "0001-01-01", "c.csv:2:7 (due): due 0001-01-01 (0001-01-01T"),
    ("2199-12-30T09:00", "", "c.csv:2:6 (ready): ready 2199-12-30T09:00:00+01:00 plus 60 days"),
])
def test_consignments_csv_instant_outside_the_range_is_located(work, ready, due, needle):
    """A ready or due cell near the ends of the calendar is exit 2 at its line and column."""
    work.write("c.csv", HEADER + ROW.format(id="a", ready=ready, due=due))
    refused(invoke("plan", "c.csv", "--out", "out", "--quiet"), 2, needle)


# --- §2 no traceback: numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "needle"), [
    (["route", *LANE, "--eur-per-tco2", "inf", "--objective", "balanced", "--format", "json"],
     "'--eur-per-tco2': inf is not a finite number (allowed: 0 to 100,000 EUR/t)"),
    (["route", *LANE, "--eur-per-tco2", "nan"], "'--eur-per-tco2': nan is not a finite number"),
    (["compare", *LANE, "--horizon-days", "1e308"],
     "'--horizon-days': 1e308 is outside the allowed range: greater than 0 and at most 400 days"),
    (["pareto", *LANE, "--horizon-days", "-5"], "'--horizon-days': -5 is outside the allowed range"),
    (["route", *LANE, "--value", "1e308"], "'--value': 1e308 is outside the allowed range"),
    (["route", *LANE, "--eur-per-day", "-1"], "'--eur-per-day': -1 is outside the allowed range"),
    (["route", *LANE[:2], "--weight", "99999999999kg", "--volume", "1m3"],
     "--weight: 1e+11 kg is outside the allowed range: greater than 0 and at most 10,000,000 kg"),
    (["route", *LANE[:2], "--weight", "1kg", "--volume", "1000000m3"], "--volume: 1e+06 m³ is outside"),
    (["plan", str(SAMPLE), "--horizon-days", "-5"], "'--horizon-days': -5 is outside"),
    (["plan", str(SAMPLE), "--time-limit", "inf"],
     "'--time-limit': inf is not a finite number (allowed: 0.1 to 604,800 s)"),
    (["plan", str(SAMPLE), "--time-limit", "0"], "'--time-limit': 0 is outside the allowed range"),
    (["plan", str(SAMPLE), "--eur-per-tco2", "nan"], "'--eur-per-tco2': nan is not a finite number"),
])
def test_non_finite_or_absurd_number_is_refused(work, args, needle):
    """inf, nan, 1e308 and negatives in options are exit 2 naming the option and its range."""
    refused(invoke(*args), 2, needle)


@pytest.mark.parametrize(("fixture", "needles"), [
    ("out_of_range", ["error: locations.csv:3:8 (handling_h): 1e9 is outside 0..720 h",
                      "error: services.csv:2:6 (distance_km): 1e308 is outside 0..50,000 km",
                      "error: services.csv:4:7 (duration_h): 9000 is outside 0..8,760 h"]),
    ("nan_number", ["(distance_km): 'nan' is not a finite number"]),
    ("negative_number", ["(distance_km): -20 is negative (allowed: 0..50,000 km)"]),
])
def test_network_value_outside_its_physical_range_is_located(work, fixture, needles):
    """Network numbers outside their column's range are exit 2, one located line each."""
    outcome = invoke("network", "validate", str(NETWORKS / fixture))
    refused(outcome, 2, *needles, lines=len(needles))


TRAIN = "TRAIN,RAIL,ARR,rail,ZIH,11000,432,Mon Thu,10:00,48,861000,2747,333,0,0.25,0,100,3000,67,"


@pytest.mark.parametrize(("file", "replace", "needle"), [
    ("access", ("BE,2,1.3,60,", "BE,2,5,60,"), "access.csv:2:3 (detour_factor): 5 is outside 1..2"),
    ("access", ("BE,2,1.3,60,", "BE,2,1.3,0,"), "access.csv:2:4 (speed_kmh): 0 is outside 5..200 km/h"),
    ("access", ("BE,2,1.3,60,", "BE,1000,1.3,60,"), "access.csv:2:2 (nearest_k): 1000 is outside 1..100"),
    ("services", (TRAIN, TRAIN.replace(",67,", ",1e-300,")),
     "services.csv:3:19 (container_m3): 1e-300 is outside 1..1,000 m³"),
    ("services", (TRAIN, TRAIN.replace(",861000,", ",1e12,")),
     "services.csv:3:11 (capacity_kg): 1e12 is outside 0..1,000,000,000 kg"),
])
def test_network_value_outside_its_range_is_one_located_line(work, file, replace, needle):
    """A number that could make a leg or a synthesized road leg absurd is exit 2, one line."""
    net = work.network("net", **{file: replace})
    refused(invoke("network", "validate", str(net)), 2, needle)


@pytest.mark.parametrize("line_end", ["\r", "\r\n"])
def test_network_files_with_other_line_ends_read_the_same(work, line_end):
    """Network CSVs saved with old-Mac (CR alone) or Windows line ends load like the originals
    (once an internal error, exit 70, on the CR of the first line)."""
    net = work.root / "net"
    shutil.copytree(ROOT / "network" / "data", net)
    for path in net.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", line_end.encode()))
    work.before = _hashes(work.root)
    mine, theirs = invoke("--network", str(net), *("network", "show")), invoke("network", "show")
    assert mine.code == 0, mine.err
    assert mine.out.replace(str(net), "") == theirs.out.replace(str(ROOT / "network" / "data"), "")


@pytest.mark.parametrize(("args", "target", "command"), [
    (["compare", *LANE], "compare", "compare"),
    (["network", "show"], "load_network", "network show"),
    (["--network", str(NETWORKS / "valid"), "route", "Liège", "Zhengzhou", "--weight", "1",
      "--volume", "1"], "build_consignment", "route"),
])
def test_unexpected_exception_is_one_line_and_exit_70(work, monkeypatch, args, target, command):
    """A bug anywhere becomes one line naming the command and exit 70 (EX_SOFTWARE), no traceback."""

    def boom(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(cli, target, boom)
    refused(invoke(*args), 70, f"internal error in '{command}': OverflowError: date value out of "
                               "range — this is a bug, please report it with the command line")


# --- §3 exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("origin", "destination", "needle"), [
    # `Lille` alone is Lille in Belgium (an origin prefers Belgium): the French one is `Lille, FR`.
    ("Lille, FR", "Zhengzhou", "Lille (FR) is off the network and access.csv has no rule for FR"),
    ("Aachen", "Zhengzhou", "Aachen (DE) is off the network and access.csv has no rule for DE"),
    ("Namur", "Hong Kong", "Hong Kong (HK) is off the network and access.csv has no rule for HK"),
])
def test_place_without_access_rule_is_unservable(work, origin, destination, needle):
    """A valid world city the network cannot reach is exit 1 saying what is missing."""
    outcome = invoke("route", origin, destination, "--weight", "800kg", "--volume", "3.5m3")
    refused(outcome, 1, "cannot serve: " + needle)


def test_country_with_a_rule_but_no_hub_is_unservable(work):
    """A city whose country has an access rule but no hub to join is exit 1 too."""
    net = work.network("net", access=("BE,2,", "FR,2,1.3,60,4,40,0.15,60,333,1.4,85,24000,85,t,x\nBE,2,"))
    outcome = invoke("--network", str(net), "route", "Lille, FR", "Zhengzhou", "--weight", "1",
                     "--volume", "1")
    refused(outcome, 1, "cannot serve: Lille (FR) is off the network and its country has no hub")


def test_plan_rows_naming_unservable_places_exit_1(work):
    """A consignments file whose only problems are unreachable places is exit 1, located."""
    work.write("c.csv", HEADER + 'a,"Lille, FR",Chengdu,100,1,2026-12-01T09:00,,general,10\n'
                                 "b,Huy,Hong Kong,100,1,2026-12-01T09:00,,general,10\n")
    refused(invoke("plan", "c.csv", "--out", "out", "--quiet"), 1,
            "cannot serve: c.csv:2:2 (origin): Lille (FR)",
            "cannot serve: c.csv:3:3 (destination): Hong Kong (HK)", lines=2)


@pytest.mark.parametrize(("args", "needle"), [
    (["route", "Namur"], "error: Missing argument 'DESTINATION'."),
    (["route", *LANE, "--frobnicate"], "error: No such option '--frobnicate'"),
    (["teleport"], "error: No such command 'teleport'."),
    (["route", *LANE, "--objective", "fastest"], "error: Invalid value for '--objective'"),
])
def test_usage_error_is_one_line_and_exit_2(work, args, needle):
    """Usage errors are click's message on one line, with a pointer to --help, exit 2."""
    refused(invoke(*args), 2, needle)


@pytest.mark.parametrize(("args", "needle"), [
    (["--help"], "Usage:"),
    (["route", "--help"], "--horizon-days NUMBER"),
    (["--version"], "silkroute, version 0.1.0"),
])
def test_help_and_version_exit_0(work, args, needle):
    """--help and --version print to stdout and exit 0."""
    outcome = invoke(*args)
    assert outcome.code == 0
    assert needle in outcome.out
    assert outcome.err == ""


def test_ctrl_c_during_plan_exits_130_and_leaves_nothing(work):
    """SIGINT during a `plan` run is exit 130 with `interrupted`, no traceback, no --out files."""
    from bench.generate_consignments import generate, write

    csv_path = work.root / "surge.csv"
    write(generate(1000, 1, date(2026, 9, 9), 56, True), csv_path)
    work.before = _hashes(work.root)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "plan", "surge.csv", "--out", "out", "--map",
         "plan.html", "--time-limit", "120"],
        cwd=work.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stderr.readline()  # the first progress line: the run is under way
        assert first.startswith("["), first
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == "interrupted"
    assert "\n\ninterrupted" not in err  # one line, not click's empty line first
    assert "Traceback" not in out + err
    assert out == ""


@pytest.mark.parametrize("after_s", [1.0, 3.0])
def test_ctrl_c_to_the_whole_process_group_exits_130_alone(work, after_s):
    """A terminal's Ctrl-C reaches the solver workers too, starting or solving: they ignore
    it, the plan's process kills them; exit 130, `interrupted`, no worker's traceback, no hang
    (before: a traceback per worker, and once a pool left waiting for its dead workers)."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "plan", str(SAMPLE), "--out", "out", "--time-limit", "30",
         "--quiet"],
        cwd=work.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(after_s)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in out + err, err[-2000:]


@pytest.mark.parametrize("args", [
    ["route", *LANE, "--map", "route.html"],
    ["plan", str(SAMPLE), "--out", "out", "--map", "plan.html", "--quiet", "--solver", "greedy"],
])
def test_ctrl_c_while_writing_outputs_leaves_nothing(work, monkeypatch, args):
    """Ctrl-C after some outputs are in temporaries removes them all: exit 130, no files."""

    def interrupted(m: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("maps.map_html", interrupted)
    refused(invoke(*args), 130, "interrupted")


@pytest.mark.parametrize("args", [
    ["network", "show", "--format", "json"],
    ["network", "show", "--format", "csv", "--what", "services"],
])
def test_closed_stdout_ends_quietly(work, args):
    """A reader that stops early (`| head`) ends the run quietly with 141, as SIGPIPE would."""
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], cwd=work.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before the child has loaded the network, let alone written
    err = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 141
    assert err == ""


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_output_in_a_narrow_encoding_replaces_what_it_cannot_show(work, encoding):
    """Output redirected in an 8-bit code page (Windows: cp1252) has its "→" replaced, not
    an internal error (exit 70) halfway through the table."""
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "route", *LANE], cwd=work.root,
                          capture_output=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode(encoding).startswith("Namur ? Zhengzhou")


@pytest.mark.parametrize(("args", "needle"), [
    ([], "Commands:"),
    (["network"], "departures"),
])
def test_bare_group_prints_its_help_and_exits_2(work, args, needle):
    """`cli.py` or `cli.py network` alone prints the help (on stderr, as click does), exit 2."""
    outcome = invoke(*args)
    assert outcome.code == 2
    assert needle in outcome.err
    assert "Traceback" not in outcome.err + outcome.out


def test_an_unclosed_quote_is_named_as_the_likely_cause(work):
    """A quote never closed swallows the rows after it: the field-count message says so (once
    only "expected 9 fields, found 2"), in a consignments file and in a network file alike."""
    row = ROW.format(id="{id}", ready="2026-12-01", due="")
    work.write("c.csv", HEADER + row.format(id="a") + 'b,"' + row.format(id="c")[2:] + row.format(id="d"))
    refused(invoke("plan", "c.csv", "--out", "out"), 2,
            "c.csv:4: expected 9 fields, found 2 (a quoted field runs over several lines: is a closing "
            "quote missing?)")
    net = work.network("net", locations=("ARR,", 'ARR,"'))
    outcome = invoke("network", "validate", str(net))
    assert outcome.code == 2 and "is a closing quote missing?" in outcome.err, outcome.err


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_network_directory_is_refused(work, value):
    """`--network ''` is refused, not read as the working directory (click's Path makes '' '.')."""
    refused(invoke("--network", value, "network", "show"), 2, "'--network': the path is empty")


# --- §4 outputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "needle"), [
    (["route", *LANE, "--map", ""], "'--map': the path is empty"),
    (["route", *LANE, "--map", "missing/dir/x.html"], "--map: cannot write 'missing/dir/x.html': "
                                                      "directory"),
    (["compare", *LANE, "--map", "."], "--map: cannot write '.': it is a directory"),
    (["pareto", *LANE, "--map", "/dev/null"], "--map: cannot write '/dev/null': it is not a regular"),
    (["route", *LANE, "--map", str(SERVICES)], "it is an input of this run"),
    (["plan", str(SAMPLE), "--out", ""], "'--out': the path is empty"),
    (["plan", str(SAMPLE), "--out", str(SAMPLE)], "exists and is not a directory"),
    (["plan", str(SAMPLE), "--out", "missing/deeper"], "--out: cannot create 'missing/deeper'"),
    (["plan", str(SAMPLE), "--map", str(SAMPLE)], "--map: refusing to write"),
    (["plan", str(SAMPLE), "--out", "out", "--map", "out/plan.json"], "is also written by --out"),
    (["plan", str(SAMPLE), "--out", "out", "--map", "out"], "is the --out directory"),
])
def test_unusable_output_path_is_refused_before_any_work(work, monkeypatch, args, needle):
    """Empty, input, directory, device or parentless output paths are exit 2 before any work."""
    no_work(monkeypatch)
    refused(invoke(*args), 2, needle)


def test_failed_output_leaves_the_others_untouched(work, monkeypatch):
    """When the third of four outputs fails, none is written and earlier versions stay."""
    work.write("out/assignments.csv", "old\n")
    real_add = formats.OutputSet.add
    calls = []

    def failing_add(self: formats.OutputSet, path: object, text: str) -> Path:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_add(self, path, text)

    monkeypatch.setattr(formats.OutputSet, "add", failing_add)
    outcome = invoke("plan", str(SAMPLE), "--out", "out", "--map", "plan.html", "--quiet",
                     "--solver", "greedy")
    refused(outcome, 2, "error: No space left on device: out/plan.json")


def test_failed_map_render_leaves_no_plan_files(work, monkeypatch):
    """A map that fails to render leaves neither the map nor the three plan files, nor --out."""

    def broken(m: object) -> str:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("maps.map_html", broken)
    outcome = invoke("plan", str(SAMPLE), "--out", "out", "--map", "plan.html", "--quiet",
                     "--solver", "greedy")
    refused(outcome, 2, "error: Input/output error")
    assert not (work.root / "out").exists()


@pytest.mark.parametrize("cid", [HYPERLINK, "+cmd", "-2+3", "@SUM(A1)"])
def test_plan_csv_outputs_neutralise_formulas(work, cid):
    """A consignment id a spreadsheet would run is written prefixed with `'`; numbers stay numbers."""
    quoted = '"' + cid.replace('"', '""') + '"'
    work.write("c.csv", HEADER + ROW.format(id=quoted, ready="2026-12-01T09:00", due=""))
    work.expect("out/assignments.csv", "out/departures.csv", "out/plan.json")
    outcome = invoke("plan", "c.csv", "--out", "out", "--quiet", "--solver", "greedy")
    assert outcome.code == 0, outcome.err
    with (work.root / "out" / "assignments.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["consignment"] == "'" + cid
    assert row["weight_kg"] == "100.0"
    with (work.root / "out" / "departures.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["consignments"] == "'" + cid
    plan = json.loads((work.root / "out" / "plan.json").read_text(encoding="utf-8"))
    assert plan["assignments"][0]["consignment"] == cid  # JSON is data, not a spreadsheet


@pytest.mark.parametrize("args", [
    ["route", "Liège", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready",
     "2026-12-01T09:00", "--format", "csv"],
    ["network", "show", "--format", "csv", "--what", "services"],
])
def test_csv_from_network_data_neutralises_formulas(work, args):
    """An operator name from a network file that starts with `=` is made inert in every CSV."""
    net = work.network("net", services=(",Haulier,", ",=cmd|' /C calc'!A0,"))
    outcome = invoke("--network", str(net), *args)
    assert outcome.code == 0, outcome.err
    assert "'=cmd|' /C calc'!A0" in outcome.out
    assert ",=cmd" not in outcome.out


@pytest.mark.parametrize(("cell", "written"), [
    ("-5", "'-5"), ("\tTAB", "'\tTAB"), ("\rCR", "\"'\rCR\""), ("=1+1", "'=1+1"), ("ok", "ok"),
    ("a\rb", "\"a\rb\""), (-5.0, "-5.0"), (None, ""),
])
def test_to_csv_neutralises_text_only(cell, written):
    """Text starting with = + - @ tab or CR gets a `'`; numbers stay numbers; a CR is quoted."""
    assert to_csv([{"a": cell, "b": 1}], ["a", "b"]) == f"a,b\n{written},1\n"


@pytest.mark.parametrize(("make", "needle"), [
    (lambda w: "/dev/zero", "error: /dev/zero: is not a regular file"),
    (lambda w: (os.mkfifo(w.root / "fifo.csv"), "fifo.csv")[1], "error: fifo.csv: is not a regular file"),
    (lambda w: ".", "'CONSIGNMENTS': File '.' is a directory"),
])
def test_non_regular_input_is_refused(work, make, needle):
    """A device, a FIFO or a directory as the consignments file is exit 2 in one line."""
    path = make(work)
    work.before = _hashes(work.root)
    refused(invoke("plan", path, "--out", "out", "--quiet"), 2, needle)


def test_network_file_that_is_a_fifo_is_refused(work):
    """A network whose locations.csv is a FIFO is refused without blocking on it."""
    net = work.network("net")
    (net / "locations.csv").unlink()
    os.mkfifo(net / "locations.csv")
    work.before = _hashes(work.root)
    refused(invoke("network", "validate", str(net)), 2, "locations.csv: is not a regular file")


@pytest.mark.parametrize(("cap", "needle"), [
    (2000, "error: c.csv: is 3.3 KiB, over the 2 KiB limit for an input file"),
    (None, "c.csv:3:2 (origin): a field is longer than 131,072 characters"),
])
def test_oversized_input_or_field_is_refused(work, monkeypatch, cap, needle):
    """A file over the size cap, or a field over the field cap, is one located line."""
    row = "{id},Liège,Zhengzhou,100,1,2026-12-01T09:00,,general,10\n"
    rows = "".join(row.format(id=f"c{i}") for i in range(60))
    if cap is None:
        rows = row.format(id="a") + f'b,"{"x" * 200_000}",Zhengzhou,100,1,2026-12-01T09:00,,,\n'
    else:
        monkeypatch.setattr("network.csvfile.MAX_INPUT_BYTES", cap)  # the network files fit
    work.write("c.csv", HEADER + rows)
    outcome = invoke("--network", str(NETWORKS / "valid"), "plan", "c.csv", "--out", "out", "--quiet")
    refused(outcome, 2, needle)


# --- §5 network validation -------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "needle"), [
    ("header_only_locations", "error: locations.csv: no locations (a header but no rows)"),
    ("not_utf8", "error: locations.csv:2:2 (name): byte 0xE8 (character 8 of the line) is not "
                 "UTF-8 (the file looks like Windows-1252 or Latin-1: save it as UTF-8)"),
    ("utf16_services", "error: services.csv:1:1: byte 0xFF (character 1 of the line) is not UTF-8 "
                       "(the file looks like UTF-16: save it as UTF-8)"),
    ("field_too_long", "error: locations.csv:3:2 (name): a field is longer than 131,072 "
                       "characters (the limit for one CSV field): is a closing quote missing?"),
    ("timezone_is_a_directory", "error: locations.csv:4:7 (tz): unknown time zone 'Asia'"),
])
def test_broken_network_file_is_reported_once(work, fixture, needle):
    """A file that cannot be read whole is one problem: the files referring to it do not cascade."""
    refused(invoke("network", "validate", str(NETWORKS / fixture)), 2, needle)


def test_broken_network_is_reported_once_by_route_too(work):
    """Through --network, a broken file is the same single line (exit 2) before any search."""
    outcome = invoke("--network", str(NETWORKS / "not_utf8"), "route", "Liège", "Zhengzhou",
                     "--weight", "1", "--volume", "1")
    refused(outcome, 2, "locations.csv:2:2 (name): byte 0xE8")


# --- §1 item: instants echoed in their place's local time ------------------------------------------


@pytest.mark.parametrize(("fmt", "expected"), [
    ("table", "ready 2026-12-01 09:00 +0100 · due 2026-12-31 08:00 +0800"),
    ("json", '"ready": "2026-12-01T09:00:00+01:00"'),
    ("json", '"due": "2026-12-31T08:00:00+08:00"'),
])
def test_instants_are_echoed_in_local_time_of_their_place(work, fmt, expected):
    """--ready in +00:00 is echoed in Brussels time, --due in Zhengzhou time."""
    outcome = invoke("route", *LANE[:6], "--ready", "2026-12-01T08:00:00+00:00",
                     "--due", "2026-12-31T00:00+00:00", "--format", fmt)
    assert outcome.code == 0, outcome.err
    assert expected in outcome.out


def test_plan_echoes_due_in_local_time(work):
    """A due cell typed in UTC is written in the destination's zone in assignments.csv."""
    work.write("c.csv", HEADER + ROW.format(id="a", ready="2026-12-01T08:00+00:00",
                                            due="2027-02-28T00:00+00:00"))
    work.expect("out/assignments.csv", "out/departures.csv", "out/plan.json")
    outcome = invoke("plan", "c.csv", "--out", "out", "--quiet", "--solver", "greedy")
    assert outcome.code == 0, outcome.err
    assert ",2027-02-28T08:00:00+08:00," in (work.root / "out" / "assignments.csv").read_text()


# --- issue 18: spreadsheets, numbers and names as people type them -------------------------------


def _xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_XLSX_ROWS = [["id", "origin", "destination", "weight_kg", "volume_m3", "ready"],
                  ["a", "Huy", "Chengdu", 100, 1, "2026-12-01"]]


@pytest.mark.parametrize(("name", "make", "args", "needle"), [
    ("c.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200, (), "c.xlsx: is not a readable xlsx workbook"),
    ("c.xlsx", lambda: _xlsx(GOOD_XLSX_ROWS)[:900], (), "c.xlsx: is not a readable xlsx workbook"),
    ("c.xlsx", lambda: _xlsx(GOOD_XLSX_ROWS, "Data"), ("--sheet", "Nope"),
     "c.xlsx: no sheet 'Nope' in the workbook (its sheets: 'Data')"),
    ("c.xlsx", lambda: _xlsx([]), (), "c.xlsx: sheet 'Sheet' is empty (expected a header row)"),
    ("c.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, (),
     "c.xls: is an old Excel .xls workbook: save it as .xlsx or as CSV"),
    ("c.csv", lambda: HEADER.encode(), ("--sheet", "x"), "--sheet 'x' applies to xlsx workbooks"),
    ("c.csv", lambda: "\ufeffid;origin\n".encode("utf-16"), (), "c.csv: is UTF-16 text"),
    ("c.csv", lambda: b"id|origin|destination|weight_kg|ready\n", (),
     "cannot tell the field separator"),
    ("c.csv", lambda: (HEADER.replace(",", ";") + "a;Huy;Chengdu;1.500;1;2026-12-01;;;\n").encode(),
     (), "c.csv:2:4 (weight_kg): weight '1.500' is ambiguous: 1500 or 1.5?"),
    ("c.csv", lambda: (HEADER.replace(",", ";") + "a;Huy;Chengdu;100;1;2026-12-01;;;20.000\n").encode(),
     (), "c.csv:2:9 (value_eur): '20.000' is ambiguous"),
    ("c.csv", lambda: (HEADER.replace(",", ";") + "a;Huy;Chengdu;1,5;1;2026-12-01;;;\n"
                       "b;Huy;Chengdu;2.25;1;2026-12-01;;;\n").encode(),
     (), "c.csv:3:4 (weight_kg): '2.25' has a decimal point but line 2 (weight_kg) has '1,5'"),
    ("c.csv", lambda: b"id,origin,destination,weight_kg,ready\na,Hu\x81y,Chengdu,1,2026-12-01\n", (),
     "byte 0x81 is neither UTF-8 nor Windows-1252"),
    ("c.csv", lambda: (HEADER + "a,4000 Namur,Chengdu,1,1,2026-12-01,,,\n").encode(), (),
     "c.csv:2:2 (origin): postcode 4000 is Liège (Luik), not Namur"),
    ("c.csv", lambda: (HEADER + "a,Huy,Chengdu,1,1,31/13/2026,,,\n").encode(), (),
     "c.csv:2:6 (ready): ready: cannot read '31/13/2026' as a date: dates with '/' or '.' are read "
     "day first"),
])
def test_spreadsheet_input_it_cannot_read_is_one_line(work, name, make, args, needle):
    """Malformed xlsx, an unknown sheet, an encoding, separator or number it cannot tell, a postcode
    that contradicts its name: exit 2, one line naming what was found (and the option to use)."""
    work.write(name, make())
    refused(invoke("plan", name, "--out", "out", "--quiet", *args), 2, needle)


def _with_cell_xml(workbook: bytes, cell: str, xml: str) -> bytes:
    """`workbook` with the first sheet's cell `cell` replaced by `xml` (as another program, or
    Excel itself, would have saved it)."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'<c r="{cell}"[^>]*>.*?</c>'.encode(), xml.encode(), data, count=1)
            target.writestr(info, data)
    return out.getvalue()


def test_a_formula_never_calculated_is_named_not_read_as_empty(work):
    """A formula saved without its value (a workbook written by a program) is refused where it
    is, not read as an empty weight; one whose saved result is empty text reads as empty."""
    rows = [[*GOOD_XLSX_ROWS[0], "due"], [*GOOD_XLSX_ROWS[1], "2027-02-28"],
            ["b", "Huy", "Chengdu", "=D2*2", 1, "2026-12-01", "2027-02-28"]]
    work.write("c.xlsx", _xlsx(rows))
    refused(invoke("plan", "c.xlsx", "--out", "out", "--quiet"), 2,
            "c.xlsx:3:4 (weight_kg): the cell holds a formula with no saved value (=D2*2)")
    computed = _with_cell_xml(_xlsx(rows), "D3", '<c r="D3"><f>D2*2</f><v>200</v></c>')
    empty_text = _with_cell_xml(computed, "G3", '<c r="G3" t="str"><f>IF(1,"","")</f><v></v></c>')
    work.write("ok.xlsx", empty_text)
    work.expect("out/assignments.csv", "out/departures.csv", "out/plan.json")
    outcome = invoke("plan", "ok.xlsx", "--out", "out", "--quiet", "--solver", "greedy")
    assert outcome.code == 0, outcome.err
    assert "b," in (work.root / "out" / "assignments.csv").read_text()


@pytest.mark.parametrize(("args", "needle"), [
    (["route", *LANE, "--value", "20.000"], "'--value': '20.000' is ambiguous: 20000 or 20?"),
    (["route", *LANE[:2], "--weight", "1.500kg", "--volume", "1m3"], "weight '1.500' is ambiguous"),
    (["route", *LANE, "--eur-per-day", "1,000"], "'--eur-per-day': '1,000' is ambiguous"),
    (["route", *LANE[:6], "--ready", "31/12/2026 25:00"], "--ready"),
    (["route", "9999", "Zhengzhou", "--weight", "1", "--volume", "1"], "9999 is not a Belgian postcode"),
    (["route", *LANE, "--format", "xlsx"], "--format xlsx writes a workbook: add --out FILE.xlsx"),
    (["route", *LANE, "--out", "x.xlsx", "--map", "x.xlsx"], "is also written by --map"),
    (["route", *LANE, "--out", str(SERVICES)], "--out: refusing to write"),
    (["compare", *LANE, "--csv-dialect", "fr"], "Invalid value for '--csv-dialect'"),
])
def test_ambiguous_or_unusable_flags_are_one_line(work, args, needle):
    refused(invoke(*args), 2, needle)


def test_xlsx_and_be_csv_outputs_are_all_or_nothing(work, monkeypatch):
    """A failing map leaves no workbook either (written together, or not at all)."""

    def broken(m: object) -> str:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("maps.map_html", broken)
    refused(invoke("compare", *LANE, "--out", "c.xlsx", "--map", "c.html"), 2, "Input/output error")
    refused(invoke("plan", str(SAMPLE), "--out", "out", "--format", "xlsx", "--map", "p.html",
                   "--quiet", "--solver", "greedy"), 2, "Input/output error")


# --- a second fuzz of the inputs (30 Nov 2026) --------------------------------------------------

SCENARIO_HEAD = 'name = "x"\n[[change]]\ncomment = "c"\nsource = "s"\n'


@pytest.mark.parametrize(("body", "needle"), [
    ("x = " + "[" * 800 + "]" * 800 + "\n", "not valid TOML: nested more than 32 levels deep"),
    ("x = " + "[" * 40 + "]" * 40 + "\n", "change[1].x[1][1]"),
    ('action = "scale_price"\nmode = "rail"\nfactor = 1' + "0" * 5000 + "\n",
     "not valid TOML: an integer of over 4,300 digits"),
    ('action = "add_duration"\nmode = "rail"\nhours = 1' + "0" * 30 + "\n",
     "change[1].hours: integer outside the 64-bit range TOML allows"),
])
def test_toml_beyond_what_it_may_hold_is_one_line(work, body, needle):
    """A scenario nested too deep or with an integer TOML cannot hold is exit 2, not exit 70."""
    path = work.write("s.toml", SCENARIO_HEAD + body)
    refused(invoke("scenarios", "validate", str(path)), 2, needle)


def test_sweep_with_an_integer_toml_cannot_hold_is_one_line(work):
    """The sweep spec is read by the same TOML rules."""
    path = work.write("sweep.toml", 'name = "x"\n[run]\nbatch = 1' + "0" * 400 + "\n")
    refused(invoke("sweep", str(path), "--out", "out"), 2, "run.batch: integer outside the 64-bit range")


def test_scenario_change_that_makes_a_service_invalid_names_its_key(work):
    """Each value in its range, the service it makes out of range: the file and key, not a
    bare field message."""
    path = work.write("s.toml", SCENARIO_HEAD + 'action = "scale_duration"\nmode = "sea"\nfactor = 100\n')
    refused(invoke("scenarios", "validate", str(path)), 2,
            "s.toml: change[1].factor: makes service 'SEA-ANR-NGB' invalid", "duration_h: 108000")


def test_leg_dearer_than_the_engine_can_add_is_refused(work):
    """A tariff and a weight each in range whose leg price overflows micro-euros: one line."""
    net = work.network("net", services=("861000,2747,333,0,0.25,0,100,3000,67,21000,",
                                        ",,333,0,0.25,10000,100,,,,"))
    refused(invoke("--network", str(net), "route", "Liège", "Zhengzhou", "--weight", "10000t",
                   "--volume", "40000m3", "--ready", "2026-12-01T09:00"), 2,
            "service 'TRAIN' would cost EUR", "over the EUR 1,000,000,000,000 one leg may cost")


def _damaged_workbook() -> bytes:
    """A one-row consignments workbook whose weight cell holds text in a number cell (what a
    damaged or hand-edited sheet holds): openpyxl fails only when the row is read."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["a", "Huy", "Chengdu", 123, 1, "2026-12-01T09:00", "", "general", 10])
    saved, out = io.BytesIO(), io.BytesIO()
    book.save(saved)
    source = zipfile.ZipFile(saved)
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>123</v>" in data
                data = data.replace(b"<v>123</v>", b"<v>abc</v>")
            target.writestr(item, data)
    source.close()
    return out.getvalue()


def test_damaged_sheet_is_one_line(work):
    """A sheet that fails while its rows are read is "not a readable xlsx workbook", exit 2."""
    work.write("c.xlsx", _damaged_workbook())
    refused(invoke("plan", "c.xlsx", "--out", "out", "--quiet"), 2,
            "c.xlsx: is not a readable xlsx workbook")


@pytest.mark.parametrize(("args", "needle"), [
    (["scenarios", "compare", *LANE, "--scenario", "a.toml,a.toml"], "names 'a.toml' twice"),
    (["network", "resilience", "--from", "Namur", "--to", "Namur"], "is the same place as an origin"),
])
def test_a_query_that_repeats_itself_is_refused(work, args, needle):
    """The same scenario twice in one column, a lane from a place to itself: exit 2."""
    refused(invoke(*args), 2, needle)


def test_control_characters_in_a_file_name_stay_on_one_line(work):
    """A newline in a file's name is shown escaped: one problem, one line."""
    work.write("bad\nname.csv", HEADER + "a,Huy,Chengdu,-100,1,2026-12-01T09:00,,general,10\n")
    refused(invoke("plan", "bad\nname.csv", "--out", "out", "--quiet"), 2, "bad\\nname.csv:2:4 (weight_kg)")


@pytest.mark.parametrize(("old", "new", "needle"), [
    (",11000,", ",1_000,", "services.csv:3:6 (distance_km): '1_000' is not a number"),
    (",11000,", ",\uff11\uff11\uff10\uff10\uff10,",
     "(distance_km): '\uff11\uff11\uff10\uff10\uff10' is not a number"),
    (",10:00,", ",\u0661\u0660:\u0660\u0660,",
     "(departure): '\u0661\u0660:\u0660\u0660' is not a time of day"),
    (",Mon Thu,", ",daily Mon,", "(days): 'daily' stands alone"),
])
def test_network_numbers_are_ascii_decimals(work, old, new, needle):
    """Network files write numbers one way (a point, ASCII digits): `1_000` or digits of
    other scripts, which Python's own parsers take, are refused where they stand."""
    net = work.network("net", services=(old, new))
    refused(invoke("network", "validate", str(net)), 2, needle)


def test_a_misnamed_or_dangling_network_file_is_named(work):
    """`Surcharges.csv` is not read as surcharges.csv, and says so; a link to nothing in place of
    an optional file cannot be read, and says so."""
    net = work.network("net")
    work.write("net/Surcharges.csv", "id,kind,amount\n")
    os.symlink(work.root / "nowhere.csv", net / "corridors.csv")
    refused(invoke("network", "validate", str(net)), 2,
            "Surcharges.csv: not a network file: did you mean 'surcharges.csv'?",
            "corridors.csv: cannot read", lines=2)
