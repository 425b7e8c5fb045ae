"""The sweep's report: one self-contained HTML page (no script, no network access: the charts are
inline SVG drawn by matplotlib) with what a planner looks at rather than reads.

- cost and served per scenario column, every parameter at its base value, summed over the sets;
- cost per consignment set (a line per column), when there are several sets;
- a tornado chart per column: how far total cost moves when one parameter goes to its lowest
  and highest value, the others at their base;
- cost against CO2e for every group (a plan, or a set's consignments for route and compare);
- the table of groups, and the failed cells with their errors.

A *group* is a set × a column × parameter values (one cell for plans).
"""

from __future__ import annotations

import html
import io
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sweep.runner import Prepared

MAX_TABLE_ROWS = 2_000
MAX_FAILED_SHOWN = 200
GroupKey = tuple[int, int, tuple[float | None, ...]]


@dataclass
class Aggregate:
    """The figures of one group (over its cells)."""

    cells: int = 0
    finished: int = 0
    failed: int = 0
    consignments: int = 0
    served: int = 0
    cost_eur: float = 0.0
    co2e_kg: float = 0.0
    gap: float | None = None
    solve_s: float = 0.0
    error: str = ""

    @property
    def complete(self) -> bool:
        return self.cells > 0 and self.finished == self.cells and self.failed == 0


def aggregate(prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> dict[GroupKey, Aggregate]:
    """Every group of the spec (in order) with the figures of its finished cells."""
    by_cell: dict[str, Mapping[str, Any]] = {}
    for line in rows:
        by_cell[line["cell"]] = line
    plan = prepared.spec.run.what == "plan"
    out: dict[GroupKey, Aggregate] = {}
    for cell in prepared.cells:
        g = cell.group
        agg = out.setdefault((g.set_index, g.column_index, g.values), Aggregate())
        agg.cells += 1
        row = by_cell.get(cell.key)
        if row is None:
            continue
        agg.finished += 1
        if row.get("status") != "done":
            agg.failed += 1
            agg.error = agg.error or str(row.get("error") or "")
            continue
        agg.solve_s += float(row.get("solve_s") or 0.0)
        if plan:
            agg.consignments += int(row.get("consignments") or 0)
            agg.served += int(row.get("served") or 0)
            agg.cost_eur += float(row.get("total_cost_eur") or 0.0)
            agg.co2e_kg += float(row.get("total_co2e_kg") or 0.0)
            agg.gap = row.get("gap")
        else:
            agg.consignments += 1
            if row.get("served"):
                agg.served += 1
                agg.cost_eur += float(row.get("cost_eur") or 0.0)
                agg.co2e_kg += float(row.get("co2e_kg") or 0.0)
    return out


def _base_values(prepared: Prepared, column: int) -> tuple[float | None, ...]:
    spec = prepared.spec
    applicable = {p.name for p in spec.parameters_of(spec.columns[column])}
    return tuple((p.base if p.base is not None else math.nan) if p.name in applicable else None
                 for p in spec.parameters)


def _same(values: tuple[float | None, ...], wanted: tuple[float | None, ...], skip: int = -1) -> bool:
    return all(i == skip or a == b for i, (a, b) in enumerate(zip(values, wanted, strict=True)))


# --- charts ----------------------------------------------------------------------------------


def _svg(fig: Figure) -> str:
    """The figure as inline SVG (no XML prolog; the same bytes for the same figure)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "silkroute-sweep", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _money(value: float, _pos: Any = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"


def _color(i: int) -> str:
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf"]
    return palette[i % len(palette)]


def scenario_chart(prepared: Prepared, groups: Mapping[GroupKey, Aggregate]) -> tuple[str, str]:
    """Bars: total cost and share served per column, parameters at base, over every set."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    spec = prepared.spec
    labels, costs, shares, notes, missing = [], [], [], [], []
    for ci, column in enumerate(spec.columns):
        base = _base_values(prepared, ci)
        found = [a for (s, c, v), a in groups.items() if c == ci and _same(v, base)]
        done = [a for a in found if a.complete]
        labels.append(column.label)
        costs.append(sum(a.cost_eur for a in done))
        n = sum(a.consignments for a in done)
        shares.append(sum(a.served for a in done) / n if n else 0.0)
        if not found and any(v is not None for v in base):
            # Not a cell left to run: the grid has no cell with every parameter at its base.
            point = ", ".join(f"{p.name} = {v:g}" if not math.isnan(v) else f"{p.name}: no base"
                              for p, v in zip(spec.parameters, base, strict=True) if v is not None)
            missing.append(f"{column.label} ({point})")
        elif len(done) < len(spec.sets):
            notes.append(f"{column.label}: {len(done)} of {len(spec.sets)} sets finished")
    fig = _figure(10, 0.5 + 0.45 * len(labels) + 1.0)
    left, right = fig.subplots(1, 2, sharey=True)
    y = list(range(len(labels)))
    left.barh(y, costs, color=[_color(i) for i in y])
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel("total cost (EUR)")
    left.xaxis.set_major_formatter(FuncFormatter(_money))
    right.barh(y, shares, color=[_color(i) for i in y])
    right.set_xlim(0, 1)
    right.xaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_xlabel("consignments served")
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    caption = ("Every parameter at its base value, summed over the consignment sets. Cost counts only "
               "the consignments served: read it next to the share served.")
    if notes:
        caption += " Not finished: " + "; ".join(notes) + "."
    if missing:
        caption += (" No cell at the base point, so no bar: " + "; ".join(missing)
                    + " (add each base value to its parameter's values, or give base as one of them).")
    return _svg(fig), caption


def set_ticks(prepared: Prepared) -> list[str]:
    """Short names of the sets for an axis: a generated set's start date (and its seed when a
    date has several), else its label."""
    sets = prepared.spec.sets
    starts = [s.generated.start for s in sets if s.generated]
    out = []
    for s in sets:
        if s.generated is None:
            out.append(s.label)
        else:
            seed = f" seed {s.generated.seed}" if starts.count(s.generated.start) > 1 else ""
            out.append(f"{s.generated.start.isoformat()}{seed}")
    return out


def sets_chart(prepared: Prepared, groups: Mapping[GroupKey, Aggregate]) -> tuple[str, str] | None:
    """Lines: total cost per consignment set, one line per column (parameters at base)."""
    from matplotlib.ticker import FuncFormatter

    spec = prepared.spec
    if len(spec.sets) < 2:
        return None
    fig = _figure(10, 3.6)
    ax = fig.subplots()
    x = list(range(len(spec.sets)))
    for ci, column in enumerate(spec.columns):
        base = _base_values(prepared, ci)
        ys = []
        for si in x:
            found = [a for (s, c, v), a in groups.items() if s == si and c == ci and _same(v, base)]
            ys.append(found[0].cost_eur if found and found[0].complete else math.nan)
        ax.plot(x, ys, marker="o", color=_color(ci), label=column.label)
    ax.set_xticks(x, set_ticks(prepared), rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("total cost (EUR)")
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _svg(fig), "Total cost of each consignment set per column, every parameter at its base value."


def tornado_chart(prepared: Prepared, groups: Mapping[GroupKey, Aggregate]) -> tuple[str, str] | None:
    """One tornado per column: total cost at each parameter's lowest and highest value (the
    others at base) against the total at the base point, over every set; widest swing on top."""
    from matplotlib.ticker import FuncFormatter

    spec = prepared.spec
    panels: list[tuple[str, float, list[tuple[str, float, float, str, str]], float | None]] = []
    skipped: list[str] = []
    still: list[str] = []
    for ci, column in enumerate(spec.columns):
        params = spec.parameters_of(column)
        if not params:
            continue
        base = _base_values(prepared, ci)

        def total(values: tuple[float | None, ...], ci: int = ci) -> float | None:
            found = [a for (s, c, v), a in groups.items() if c == ci and v == values]
            if len(found) != len(spec.sets) or not all(a.complete for a in found):
                return None
            return sum(a.cost_eur for a in found)

        missing = [p for p in params if p.base is None or p.base not in p.values]
        if missing:
            names = ", ".join(p.name for p in missing)
            skipped.append(f"{column.label} (the base value of {names} is not one of its values: add it "
                           "to values, or give base)")
            continue
        at_base = total(base)
        if at_base is None:
            skipped.append(f"{column.label} (the cells at the base values have not all finished)")
            continue
        bars = []
        for i, p in enumerate(spec.parameters):
            if p not in params:
                continue
            low, high = min(p.values), max(p.values)
            ends = []
            for value in (low, high):
                point = tuple(value if j == i else b for j, b in enumerate(base))
                ends.append(total(point))
            if ends[0] is None or ends[1] is None:
                skipped.append(f"{column.label}: {p.name} (cells missing)")
                continue
            if abs(ends[0] - at_base) < 0.005 and abs(ends[1] - at_base) < 0.005:
                still.append(f"{p.name} under {column.label}")
                continue
            bars.append((p.name, ends[0] - at_base, ends[1] - at_base, f"{low:g}", f"{high:g}"))
        bars.sort(key=lambda b: -max(abs(b[1]), abs(b[2])))
        if bars:
            gaps = [a.gap for (s, c, v), a in groups.items() if c == ci and v == base and a.gap is not None]
            panels.append((column.label, at_base, bars, statistics.median(gaps) if gaps else None))
    notes = []
    if still:
        notes.append("No change of total cost: " + "; ".join(still) + ".")
    if skipped:
        notes.append("Not drawn: " + "; ".join(skipped) + ".")
    if not panels:
        return ("", " ".join(notes)) if notes else None
    rows = sum(len(b) for _, _, b, _ in panels)
    fig = _figure(10, 0.8 + 0.42 * rows + 0.6 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=[len(b) for _, _, b, _ in panels])
    for ax, (label, at_base, bars, gap) in zip(axes[:, 0], panels, strict=True):
        y = list(range(len(bars)))
        ax.barh(y, [b[1] for b in bars], color="#4c72b0")
        ax.barh(y, [b[2] for b in bars], color="#dd8452")
        for yi, (_name, lo, hi, lo_text, hi_text) in zip(y, bars, strict=True):
            ax.annotate(lo_text, (lo, yi), ha="right" if lo < 0 else "left", va="center", fontsize=8,
                        xytext=(-3 if lo < 0 else 3, 0), textcoords="offset points")
            ax.annotate(hi_text, (hi, yi), ha="right" if hi < 0 else "left", va="center", fontsize=8,
                        xytext=(-3 if hi < 0 else 3, 0), textcoords="offset points")
        ax.set_yticks(y, [b[0] for b in bars])
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        gap_text = "" if gap is None else f" (median gap of its plans {gap:.2%})"
        ax.set_title(f"{label}: base total EUR {at_base:,.0f}{gap_text}", fontsize=10, loc="left")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: ("+" if v > 0 else "") + _money(v)))
        ax.grid(axis="x", alpha=0.3)
        span = max(max(abs(b[1]), abs(b[2])) for b in bars) or 1.0
        ax.set_xlim(-span * 1.35, span * 1.35)
    axes[-1, 0].set_xlabel("change of total cost against the base values (EUR)")
    fig.tight_layout()
    caption = ("Each bar: the change of total cost over every set when one parameter takes its lowest "
               "(blue) or highest (orange) value, the others at their base value; the values are written "
               "at the bars' ends.")
    if spec.run.what == "plan" and spec.run.solver != "greedy":
        caption += (" Plans cut by their time limit are within their gap of the best plan: a change "
                    "smaller than the gap may be the solver's, not the parameter's.")
    return _svg(fig), " ".join([caption, *notes])


def scatter_chart(prepared: Prepared, groups: Mapping[GroupKey, Aggregate]) -> tuple[str, str] | None:
    """Points: cost against CO2e of every finished group, coloured by column."""
    from matplotlib.ticker import FuncFormatter

    spec = prepared.spec
    fig = _figure(10, 4.5)
    ax = fig.subplots()
    drawn = False
    for ci, column in enumerate(spec.columns):
        points = [(a.cost_eur, a.co2e_kg / 1000) for (s, c, v), a in groups.items() if c == ci and a.complete]
        if points:
            drawn = True
            ax.scatter([p[0] for p in points], [p[1] for p in points], s=22, color=_color(ci), alpha=0.8,
                       label=column.label)
    if not drawn:
        return None
    ax.set_xlabel("total cost (EUR)")
    ax.set_ylabel("CO2e (t)")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    unit = "plan" if spec.run.what == "plan" else "consignment set's best itineraries"
    return _svg(fig), f"Every finished cell group (a {unit}) by total cost and CO2e; lower left is better."


# --- the page --------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; font-size: 0.9rem; } .caption { color: #555; font-size: 0.85rem; margin-top: 0; }
figure { margin: 0; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.8rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.4rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; position: sticky; top: 0; }
tr.failed td { color: #a00; } .err { font-family: ui-monospace, monospace; font-size: 0.75rem; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _chart(title: str, found: tuple[str, str] | None) -> str:
    if found is None:
        return ""
    svg, caption = found
    figure = f"<figure>{svg}</figure>\n" if svg else ""
    return f"<h2>{_e(title)}</h2>\n{figure}<p class=\"caption\">{_e(caption)}</p>\n"


def _table(prepared: Prepared, groups: Mapping[GroupKey, Aggregate]) -> str:
    spec = prepared.spec
    plan = spec.run.what == "plan"
    head = ["set", "scenario", *(p.name for p in spec.parameters), "served", "cost (EUR)", "CO2e (t)",
            *(["gap"] if plan else []), "solve (s)", "status"]
    lines = ["<table>", "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for n, ((si, ci, values), a) in enumerate(groups.items()):
        if n >= MAX_TABLE_ROWS:
            lines.append(f"<tr><td colspan=\"{len(head)}\">… {len(groups) - n:,} more rows: see "
                         "results.csv</td></tr>")
            break
        status = ("done" if a.complete else f"{a.failed} failed" if a.failed
                  else f"{a.finished}/{a.cells} finished")
        shown = a.finished > a.failed  # some cell has figures
        cells = [_e(spec.sets[si].label), _e(spec.columns[ci].label),
                 *("" if v is None else f"{v:g}" for v in values),
                 f"{a.served:,}/{a.consignments:,}" if shown else "",
                 f"{a.cost_eur:,.0f}" if shown else "", f"{a.co2e_kg / 1000:,.1f}" if shown else ""]
        if plan:
            cells.append("" if a.gap is None or not shown else f"{a.gap:.3%}")
        cells += [f"{a.solve_s:,.1f}" if shown else "", _e(status)]
        numeric = set(range(2, len(cells) - 1))
        cls = " class=\"failed\"" if a.failed else ""
        lines.append(f"<tr{cls}>" + "".join(f"<td class=\"n\">{c}</td>" if i in numeric else f"<td>{c}</td>"
                                             for i, c in enumerate(cells)) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _failed(prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> str:
    failed = [r for r in rows if r.get("status") == "failed"]
    if not failed:
        return ""
    by_error: dict[str, list[Mapping[str, Any]]] = {}
    for r in failed:
        by_error.setdefault(str(r.get("error") or ""), []).append(r)
    items = []
    for error, found in list(by_error.items())[:MAX_FAILED_SHOWN]:
        cells = []
        for r in found[:5]:
            parts = [str(r["set"]), str(r["scenario"])]
            if r.get("consignment"):
                parts.append(str(r["consignment"]))
            parts += [f"{p.name} {r[p.name]:g}" for p in prepared.spec.parameters
                      if r.get(p.name) is not None]
            cells.append(" · ".join(parts))
        more = f"; and {len(found) - 5:,} more" if len(found) > 5 else ""
        items.append(f"<li><span class=\"err\">{_e(error)}</span><br>{len(found):,} cell"
                     f"{'s' * (len(found) > 1)}: {_e('; '.join(cells))}{_e(more)}</li>")
    left = len(by_error) - MAX_FAILED_SHOWN
    more = f"<p>… and {left:,} more errors: see results.csv.</p>" if left > 0 else ""
    return f"<h2>Failed cells ({len(failed):,})</h2>\n<ul>{''.join(items)}</ul>{more}\n"


def report_html(prepared: Prepared, rows: Sequence[Mapping[str, Any]],
                written: datetime | None = None) -> str:
    """The report page for the sweep's rows so far (module docstring)."""
    spec = prepared.spec
    run = spec.run
    groups = aggregate(prepared, rows)
    total = len({c.key for c in prepared.cells})
    finished = len({r["cell"] for r in rows})
    failed = sum(1 for r in rows if r.get("status") == "failed")
    when = (written or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    settings = [f"what: {run.what}", f"objective: {run.objective}"]
    if run.what == "plan":
        settings.append(f"solver: {run.solver}")
        if run.solver != "greedy":
            settings += [f"time limit: {run.time_limit_s:g} s", f"seed: {run.seed}"]
    settings.append(f"horizon: {run.horizon_days:g} days")
    params = "; ".join(f"{p.name} = {', '.join(f'{v:g}' for v in p.values)}"
                       + (f" (base {p.base:g})" if p.base is not None else "")
                       + (f" in {p.scenario.name}: {', '.join(p.keys)}" if p.scenario
                          else f" (run.{p.keys[0]})")
                       for p in spec.parameters)
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{_e(spec.name)}: sweep report</title>", f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(spec.name)}</h1>",
        f"<p>{_e(spec.description)}</p>" if spec.description else "",
        f"<p class=\"meta\">{finished:,} of {total:,} cells finished ({failed:,} failed) · "
        f"{len(spec.sets)} consignment sets × {len(spec.columns)} columns · {_e(' · '.join(settings))} · "
        f"network {_e(prepared.network_dir)} · spec {_e(spec.file)} · written {_e(when)}</p>",
        (f"<p class=\"meta\">parameters ({_e(spec.design.replace('_', ' '))}): {_e(params)}</p>"
         if params else ""),
    ]
    parts.append(_chart("Cost and served per scenario", scenario_chart(prepared, groups)))
    parts.append(_chart("Cost per consignment set", sets_chart(prepared, groups)))
    parts.append(_chart("Sensitivity of total cost (tornado)", tornado_chart(prepared, groups)))
    parts.append(_chart("Cost against CO2e", scatter_chart(prepared, groups)))
    parts.append(_failed(prepared, rows))
    unit = ("one per plan" if run.what == "plan"
            else "a set's consignments together; one row per consignment in results.csv")
    parts += [f"<h2>Table ({unit})</h2>", _table(prepared, groups), "</body></html>", ""]
    return "\n".join(p for p in parts if p)
