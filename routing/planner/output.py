"""Plan documents: assignments.csv, departures.csv, plan.json and plan.xlsx (written atomically)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from formats import OutputSet, Sheet, local_naive, to_csv, to_json, to_xlsx
from network.model import split_part
from routing.planner.model import Assignment, Plan, PlannedLeg, Unassigned
from routing.reliability import Figures
from routing.report_text import scenario_names
from routing.waits import plan_waits

ASSIGNMENT_FIELDS = ["consignment", "origin", "origin_name", "destination", "destination_name",
                     "weight_kg", "volume_m3", "goods", "legs", "departures", "in_container",
                     "freight_eur", "handling_eur", "container_share_eur", "cost_eur", "co2e_kg",
                     "arrival", "due", "meets_due", "status", "reason",
                     # reliability (issue 16): routing/planner/ontime.py
                     "on_time_probability", "arrival_p50", "arrival_p90",
                     "missed_connection_probability",
                     # appended (issue 15): the CO2e split and the hubs' part
                     "co2e_ttw_kg", "co2e_wtt_kg", "co2e_hub_kg",
                     # appended: the what-if scenarios the plan ran under (issue 14)
                     "scenarios"]
PLAN_FILES = ("assignments.csv", "departures.csv", "plan.json")
XLSX_FILE = "plan.xlsx"
DEPARTURE_FIELDS = ["service", "departure", "kg_used", "capacity_kg", "m3_used", "capacity_m3",
                    "containers", "container_eur", "consignments", "in_container", "scenarios"]


def summary(plan: Plan) -> dict[str, Any]:
    """The headline figures of a plan. `best_bound`, `gap` and `served_upper_bound` hold over
    every itinerary (not only the columns the planner generated); `bound_basis` says what
    proves the bound, and both are null when nothing was proven within the time limit."""
    gap = plan.gap
    return {
        "served": len(plan.assignments), "unserved": len(plan.unassigned),
        "served_upper_bound": plan.served_bound,
        "total_cost_eur": round(plan.total_cost_eur, 2), "total_co2e_kg": round(plan.total_co2e_kg, 3),
        "objective": plan.request.objective.value, "objective_value": round(plan.objective_value, 6),
        "best_bound": None if plan.best_bound is None else round(plan.best_bound, 6),
        "gap": None if gap is None else round(gap, 8),
        "bound_basis": plan.bound_basis or None, "solver": plan.solver,
        "termination": plan.termination, "solve_s": round(plan.solve_s, 3),
        "candidates": plan.candidates, "model_size": plan.model_size,
        "containers": sum(d.containers for d in plan.departures),
        "stages": [{"stage": name, "seconds": seconds, "note": note} for name, seconds, note in plan.stages],
        "on_time": plan.request.on_time,
        "scenarios": [{"name": s.name, "file": s.file, "changes": s.changes}
                      for s in plan.request.network.scenarios],
    }


def _leg_split(plan: Plan, leg: PlannedLeg) -> tuple[float | None, float | None]:
    """(TTW, WTT) kg of a planned leg, from its service's split factor (None, None: not split)."""
    s = plan.request.network.services[leg.service_id]
    ttw = split_part(leg.co2e_kg, s.co2e_ttw_g_per_tkm, s.co2e_g_per_tkm)
    return (None, None) if ttw is None else (ttw, leg.co2e_kg - ttw)


def co2e_split(plan: Plan, a: Assignment) -> tuple[float | None, float | None]:
    """(TTW, WTT) kg of an assignment: its legs' and its hubs' (None, None when some factor is
    not split); they add up to `a.co2e_kg`."""
    network = plan.request.network
    parts = [_leg_split(plan, leg) for leg in a.legs]
    for leg in a.legs[1:]:
        location = network.locations[leg.origin]
        hub = location.handling_co2e_kg(a.consignment.weight_kg)
        ttw = split_part(hub, location.hub_co2e_ttw_kg_per_t, location.hub_co2e_kg_per_t)
        parts.append((None, None) if ttw is None else (ttw, hub - ttw))
    if any(t is None or w is None for t, w in parts):
        return None, None
    return sum(t for t, _ in parts if t is not None), sum(w for _, w in parts if w is not None)


def _r3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _name(plan: Plan, location_id: str) -> str:
    location = plan.request.network.locations.get(location_id)
    return location.name if location is not None else location_id


def _local(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M %z")


_EARLIEST = re.compile(r"earliest arrival (\S+)")


def unassigned_text(plan: Plan, u: Unassigned) -> str:
    """Why a consignment is unassigned, in plain words (`cannot arrive by its due date …`)."""
    c = u.consignment
    origin, destination = _name(plan, c.origin), _name(plan, c.destination)
    if u.reason == "due_date":
        text = f"cannot arrive in {destination} by its due date {_local(c.due)}" if c.due else \
            "cannot arrive by its due date"
        match = _EARLIEST.search(u.detail)
        if match:
            try:
                earliest = datetime.fromisoformat(match.group(1).rstrip(",;)"))
                text += f": the earliest possible arrival is {_local(earliest)}"
            except ValueError:
                pass
        return text
    if u.reason == "goods_class":
        return f"no service carries {c.goods} goods from {origin} to {destination}"
    if u.reason == "no_route":
        return (f"no way from {origin} to {destination} within "
                f"{plan.request.horizon_days:g} days of ready")
    if u.reason == "capacity":
        if u.full_departures:
            first = u.full_departures[0]
            service, _, when = first.partition("@")
            try:
                shown = f"{service} on {_local(datetime.fromisoformat(when))}"
            except ValueError:
                shown = first
            more = len(u.full_departures) - 1
            return (f"every departure it could take is full ({shown}"
                    + (f" and {more} more" if more else "") + ")")
        return "left out so that more consignments could be served (not enough room for all)"
    if u.reason == "on_time":
        return f"cannot arrive in {destination} by its due date often enough: {u.detail}"
    return u.detail or u.reason


def _reliability(figures: Figures | None) -> dict[str, Any]:
    """The assignment's reliability columns (empty without figures)."""
    if figures is None:
        return {"on_time_probability": "", "arrival_p50": "", "arrival_p90": "",
                "missed_connection_probability": ""}
    return {"on_time_probability": "" if figures.on_time is None else round(figures.on_time, 4),
            "arrival_p50": figures.arrive_p50.isoformat() if figures.arrive_p50 else "never",
            "arrival_p90": figures.arrive_p90.isoformat() if figures.arrive_p90 else "never",
            "missed_connection_probability": round(figures.missed_connection, 4)}


def assignment_rows(plan: Plan, on_time: Mapping[str, Figures] | None = None) -> list[dict[str, Any]]:
    """One row per consignment (`on_time`: the reliability of each assignment, by id)."""
    on_time = on_time or {}
    rows: list[dict[str, Any]] = []
    scenarios = scenario_names(plan.request.network)  # the same on every row
    for a in plan.assignments:
        c = a.consignment
        rows.append({
            "consignment": c.id, "origin": c.origin, "origin_name": _name(plan, c.origin),
            "destination": c.destination, "destination_name": _name(plan, c.destination),
            "weight_kg": c.weight_kg, "volume_m3": c.volume_m3, "goods": c.goods,
            "legs": " > ".join(leg.service_id for leg in a.legs),
            "departures": " > ".join(leg.depart.isoformat() for leg in a.legs),
            "in_container": " > ".join("yes" if leg.in_container else "no" for leg in a.legs),
            "freight_eur": round(a.freight_eur, 2), "handling_eur": round(a.handling_eur, 2),
            "container_share_eur": round(a.container_share_eur, 2), "cost_eur": round(a.cost_eur, 2),
            "co2e_kg": round(a.co2e_kg, 3), "arrival": a.arrive.isoformat(),
            "due": c.due.isoformat() if c.due else "",
            "meets_due": {True: "yes", False: "no", None: ""}[a.meets_due], "status": "served",
            "reason": "", **_reliability(on_time.get(c.id)),
            **dict(zip(("co2e_ttw_kg", "co2e_wtt_kg"), ("" if x is None else round(x, 3)
                                                         for x in co2e_split(plan, a)), strict=True)),
            "co2e_hub_kg": round(a.handling_co2e_kg, 3), "scenarios": scenarios,
        })
    for u in plan.unassigned:
        c = u.consignment
        rows.append(dict.fromkeys(ASSIGNMENT_FIELDS, "") | {
            "consignment": c.id, "origin": c.origin, "origin_name": _name(plan, c.origin),
            "destination": c.destination, "destination_name": _name(plan, c.destination),
            "weight_kg": c.weight_kg, "volume_m3": c.volume_m3, "goods": c.goods,
            "due": c.due.isoformat() if c.due else "", "status": f"unassigned: {u.reason}",
            "reason": u.detail, "scenarios": scenarios})
    return rows


def departure_rows(plan: Plan) -> list[dict[str, Any]]:
    scenarios = scenario_names(plan.request.network)  # the same on every row
    return [{
        "service": d.service_id, "departure": d.depart.isoformat(), "kg_used": round(d.weight_kg, 3),
        "capacity_kg": d.capacity_kg, "m3_used": round(d.volume_m3, 3), "capacity_m3": d.capacity_m3,
        "containers": d.containers, "container_eur": d.container_eur,
        "consignments": " ".join(d.consignments), "in_container": " ".join(d.in_container),
        "scenarios": scenarios,
    } for d in plan.departures]


def plan_document(plan: Plan, notes: Sequence[str] = (),
                  on_time: Mapping[str, Figures] | None = None) -> dict[str, Any]:
    """Everything: summary, assignments (legs in detail, and with `on_time` each one's
    reliability), unassigned with reasons, departures, and the notes on reading the input
    (places read under another name, volumes assumed)."""
    on_time = on_time or {}
    return {
        "summary": summary(plan),
        "notes": list(notes),
        "assignments": [{
            "consignment": a.consignment.id, "cost_eur": round(a.cost_eur, 2),
            "freight_eur": round(a.freight_eur, 2), "handling_eur": round(a.handling_eur, 2),
            "container_share_eur": round(a.container_share_eur, 2), "co2e_kg": round(a.co2e_kg, 3),
            "arrival": a.arrive.isoformat(), "meets_due": a.meets_due,
            **({} if a.consignment.id not in on_time else _reliability_json(on_time[a.consignment.id])),
            "legs": [{"service": leg.service_id, "from": leg.origin, "to": leg.destination,
                      "mode": leg.mode, "depart": leg.depart.isoformat(),
                      "arrive": leg.arrive.isoformat(), "in_container": leg.in_container,
                      "freight_eur": round(leg.freight_eur, 2), "co2e_kg": round(leg.co2e_kg, 3),
                      **dict(zip(("co2e_ttw_kg", "co2e_wtt_kg"), map(_r3, _leg_split(plan, leg)),
                                 strict=True))}
                     for leg in a.legs],
            **dict(zip(("co2e_ttw_kg", "co2e_wtt_kg"), map(_r3, co2e_split(plan, a)), strict=True)),
            "co2e_hub_kg": round(a.handling_co2e_kg, 3),
            "price_waits": [w.as_dict() for w in plan_waits(plan.request.network, a)],
        } for a in plan.assignments],
        "unassigned": [{"consignment": u.consignment.id, "reason": u.reason, "detail": u.detail,
                        "explanation": unassigned_text(plan, u),
                        "full_departures": list(u.full_departures)} for u in plan.unassigned],
        "departures": departure_rows(plan),
    }


def _reliability_json(figures: Figures) -> dict[str, Any]:
    """plan.json's reliability fields of one assignment."""
    return {"on_time_probability": None if figures.on_time is None else round(figures.on_time, 4),
            "arrival_p50": figures.arrive_p50.isoformat() if figures.arrive_p50 else None,
            "arrival_p90": figures.arrive_p90.isoformat() if figures.arrive_p90 else None,
            "missed_connection_probability": round(figures.missed_connection, 4)}


def plan_files(plan: Plan, *, dialect: str = "standard", xlsx: bool = False,
               notes: Sequence[str] = (), query: Sequence[tuple[str, Any]] = (),
               on_time: Mapping[str, Figures] | None = None) -> dict[str, str | bytes]:
    """The content of each of PLAN_FILES (CSV in `dialect`), and of XLSX_FILE when `xlsx`
    (`query`: the settings of the run as (label, value) pairs for its query sheet; `on_time`:
    each assignment's reliability, `routing.planner.ontime.assignment_figures`)."""
    files: dict[str, str | bytes] = {
        "assignments.csv": to_csv(assignment_rows(plan, on_time), ASSIGNMENT_FIELDS, dialect),
        "departures.csv": to_csv(departure_rows(plan), DEPARTURE_FIELDS, dialect),
        "plan.json": to_json(plan_document(plan, notes, on_time)) + "\n",
    }
    if xlsx:
        files[XLSX_FILE] = to_xlsx(plan_sheets(plan, notes, query, on_time))
    return files


def plan_sheets(plan: Plan, notes: Sequence[str] = (), query: Sequence[tuple[str, Any]] = (),
                on_time: Mapping[str, Figures] | None = None) -> list[Sheet]:
    """The plan as a workbook: assignments, departures, and the query with the network's as-of
    date and the notes. Times are local wall times of the place they refer to."""
    on_time = on_time or {}
    assignments = Sheet("assignments", [
        "consignment", "status", "origin", "destination", "weight (kg)", "volume (m³)", "goods",
        "services", "departs (local time)", "arrives (local time)", "due (local time)",
        "meets due", "in container (per leg)", "freight (EUR)", "handling (EUR)",
        "container share (EUR)", "cost (EUR)", "CO2e (kg)", "reason", "on-time probability",
        "arrives p50 (local time)", "arrives p90 (local time)", "missed connection probability",
        "CO2e tank-to-wheel (kg)", "CO2e well-to-tank (kg)", "CO2e at hubs (kg)"])
    for a in plan.assignments:
        c = a.consignment
        f = on_time.get(c.id)
        assignments.rows.append([
            c.id, "served", _name(plan, c.origin), _name(plan, c.destination), c.weight_kg,
            c.volume_m3, c.goods, " > ".join(leg.service_id for leg in a.legs),
            local_naive(a.legs[0].depart), local_naive(a.arrive), local_naive(c.due),
            {True: "yes", False: "no", None: ""}[a.meets_due],
            " > ".join("container" if leg.in_container else "per kg" for leg in a.legs),
            round(a.freight_eur, 2), round(a.handling_eur, 2), round(a.container_share_eur, 2),
            round(a.cost_eur, 2), round(a.co2e_kg, 3), "",
            *([None] * 4 if f is None else [
                None if f.on_time is None else round(f.on_time, 4), local_naive(f.arrive_p50),
                local_naive(f.arrive_p90), round(f.missed_connection, 4)]),
            *map(_r3, co2e_split(plan, a)), round(a.handling_co2e_kg, 3)])
    for u in plan.unassigned:
        c = u.consignment
        assignments.rows.append([
            c.id, f"unassigned: {u.reason}", _name(plan, c.origin), _name(plan, c.destination),
            c.weight_kg, c.volume_m3, c.goods, "", None, None, local_naive(c.due), "", "", None,
            None, None, None, None, unassigned_text(plan, u), None, None, None, None, None, None, None])
    departures = Sheet("departures", [
        "service", "departs (local time)", "used (kg)", "capacity (kg)", "used (m³)",
        "capacity (m³)", "containers bought", "container cost (EUR)", "consignments",
        "in a container"])
    for d in plan.departures:
        departures.rows.append([
            d.service_id, local_naive(d.depart), round(d.weight_kg, 3), d.capacity_kg,
            round(d.volume_m3, 3), d.capacity_m3, d.containers, d.container_eur,
            " ".join(d.consignments), " ".join(d.in_container)])
    head = summary(plan)
    start, end = plan.request.network.as_of_range()
    sheet = Sheet("query", ["field", "value"], table=False, widths={0: 30, 1: 90})
    sheet.rows += [[label, value] for label, value in query]
    if not any(label == "objective" for label, _ in query):  # the CLI's query names it already
        sheet.rows.append(["objective", head["objective"]])
    sheet.rows += [
        ["served", f"{head['served']} of {head['served'] + head['unserved']}"],
        ["total cost (EUR)", head["total_cost_eur"]], ["total CO2e (kg)", head["total_co2e_kg"]],
        ["containers bought", head["containers"]],
        ["lower bound on the objective", head["best_bound"]],
        ["gap to the bound", "" if head["gap"] is None else f"{head['gap']:.4%}"],
        ["network", plan.request.network.name], ["network data as of", f"{start} to {end}"],
        ["times", "local time of the place they refer to (departures at the leg's origin, "
                  "arrivals and due dates at the destination)"],
    ]
    sheet.rows += [["note", note] for note in notes]
    return [assignments, departures, sheet]


def write_plan(plan: Plan, directory: str | Path, protected: Iterable[str | Path] = ()) -> list[Path]:
    """Write the three files into `directory` (created if missing), all or none, never over an input."""
    out = Path(directory)
    with OutputSet(protected) as outputs:
        outputs.make_dir(out)
        written = [outputs.add(out / name, content) for name, content in plan_files(plan).items()]
        outputs.commit()
    return written
