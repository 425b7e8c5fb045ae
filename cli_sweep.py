"""The `sweep` command: plans or queries over consignment sets × scenarios × parameter grids, on
an embedded Dask cluster or a running one (register with cli.add_command)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cli_types import InterruptedWith, OutputPath
from network.errors import InputError


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class _Printer:
    """Progress on stderr: one line rewritten in place on a terminal, else a line every few
    seconds; failures and the start and end always on lines of their own."""

    EVERY_S = 10.0

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.open_line = False
        self.errors: dict[str, int] = {}  # error text -> cells that failed with it

    def line(self, text: str) -> None:
        if self.open_line:
            click.echo("", err=True)
            self.open_line = False
        click.echo(text, err=True)

    def __call__(self, event: object) -> None:
        from sweep import Event

        assert isinstance(event, Event)
        s = event.status
        if event.kind == "failed":
            # A bad scenario fails every cell of its column alike: each error is shown once.
            seen = self.errors.get(event.text, 0)
            self.errors[event.text] = seen + 1
            if not seen:
                self.line(f"failed: {event.cell}: {event.text}")
            return
        if self.quiet:
            return
        text = (f"[{s.elapsed_s:7.1f}s] cells {s.finished:,}/{s.total:,} finished · {s.done:,} done, "
                f"{s.running:,} running, {s.failed:,} failed in this run"
                + (f", {s.skipped:,} before" if s.skipped else "")
                + (f" · ETA {_duration(s.eta_s)}" if s.eta_s is not None and s.finished < s.total else ""))
        if event.kind == "start":
            if event.text:
                self.line(f"dask dashboard: {event.text}")
            self.line(text)
            return
        if event.kind == "end":
            repeats = sum(n - 1 for n in self.errors.values())
            if repeats:
                self.line(f"failed: {repeats:,} more cells with the errors above")
            if self.tty and self.open_line:
                click.echo("\r" + text + "\033[K", err=True)
                self.open_line = False
            else:
                self.line(text)
            return
        now = time.monotonic()
        if self.tty:
            filled = round(20 * s.finished / s.total) if s.total else 20
            bar = "[" + "#" * filled + "." * (20 - filled) + "] "
            click.echo("\r" + bar + text + "\033[K", err=True, nl=False)
            self.open_line = True
        elif now - self.last >= self.EVERY_S:
            self.line(text)
            self.last = now


@click.command("sweep")
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=OutputPath(), required=True,
              help="Directory for the results (created if its parent exists); a sweep run again on the "
                   "same directory resumes where it stopped.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="A running Dask scheduler (tcp://host:8786) instead of the embedded local cluster.")
@click.option("--workers", type=click.IntRange(0, 1024), default=None,
              help="Local cluster: worker processes (default: as many as the cores and memory allow for "
                   "the cells); 0 runs the cells one after another in this process, without Dask.")
@click.option("--retry-failed", is_flag=True, help="Run the cells that failed before again.")
@click.option("--quiet", is_flag=True, help="No progress on stderr (failures are still reported).")
@click.pass_context
def sweep(ctx: click.Context, spec_file: Path, out_dir: Path, scheduler: str | None, workers: int | None,
          retry_failed: bool, quiet: bool) -> None:
    """Run the sweep of SPEC (TOML: network, consignment sets, scenario columns, parameter grids,
    what to run per cell) and write results.parquet, results.csv and report.html to --out."""
    from cli import network_inputs
    from formats import check_output_dir
    from sweep import Sweep, load_spec
    from sweep.cluster import dask_client, local_sizing
    from sweep.store import OUTPUTS

    if scheduler is not None and workers is not None:
        raise click.UsageError("--workers sizes the local cluster: not with --scheduler")
    spec = load_spec(spec_file)
    obj = ctx.ensure_object(dict)
    if spec.network_dir is not None and obj.get("network_dir") is not None:
        raise InputError(f"{spec_file}: network: the spec names its network; give it there or with "
                         "--network, not both")
    inputs = [spec_file, *spec.scenario_data, *(s.file for s in spec.sets if s.file), *network_inputs(ctx),
              *(sorted(spec.network_dir.glob("*.csv")) if spec.network_dir else [])]
    check_output_dir(out_dir, OUTPUTS, option="--out", inputs=inputs)
    printer = _Printer(quiet)
    with Sweep(spec, out_dir, network_dir=obj.get("network_dir"), protected=inputs,
               retry_failed=retry_failed) as opened:
        cores = spec.run.cores
        if not opened.tasks:
            note = f"nothing to compute: all {opened.total:,} cells are finished in {out_dir}"
        else:
            note = (f"{opened.total:,} cells, {opened.total - len(opened.todo):,} finished before; "
                    f"{len(opened.todo):,} to compute in {len(opened.tasks):,} tasks")
        if not quiet:
            printer.line(f"sweep {spec.name!r}: {note}")
        outcome = None
        try:
            if not opened.tasks or workers == 0:
                if opened.tasks and not quiet:
                    printer.line("running in this process (--workers 0)")
                outcome = opened.run(None, plan_workers=cores, listener=printer)
            else:
                sizing = None
                plan_workers = cores
                if scheduler is None:
                    sizing = local_sizing(cores, opened.largest_set, workers)
                    plan_workers = sizing.plan_workers
                    if not quiet:
                        printer.line(f"local Dask cluster: {sizing.workers} worker"
                                     f"{'s' * (sizing.workers > 1)} × 1 thread, "
                                     f"{sizing.memory_limit / 1024**3:.1f} GiB each"
                                     + (f"; plans use {plan_workers} solver "
                                        f"process{'es' * (plan_workers > 1)}"
                                        if spec.run.what == "plan" and spec.run.solver != "greedy" else ""))
                with dask_client(scheduler, sizing) as client:
                    if scheduler is not None and not quiet:
                        threads = client.nthreads()
                        printer.line(f"Dask scheduler {scheduler}: {len(threads)} workers, "
                                     f"{sum(threads.values())} threads")
                    outcome = opened.run(client, plan_workers=plan_workers, listener=printer)
        except KeyboardInterrupt:
            raise InterruptedWith(f"the finished cells are kept in {out_dir}/ (results.csv, "
                                  "report.html); run the same command again to resume") from None
    assert outcome is not None
    click.echo(f"{outcome.total:,} cells: {outcome.total - outcome.failed:,} done, {outcome.failed:,} "
               f"failed · {out_dir}/results.parquet, results.csv, report.html")
    if outcome.failed:
        click.echo(f"error: {outcome.failed:,} of {outcome.total:,} cells failed (their errors: above, in "
                   f"the error column of {out_dir}/results.csv and in the report)", err=True)
        ctx.exit(1)
