"""Plan documents: assignments.csv, departures.csv and plan.json (written atomically)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from formats import OutputSet, to_csv, to_json
from routing.planner.model import Plan

ASSIGNMENT_FIELDS = ["consignment", "origin", "destination", "weight_kg", "volume_m3", "goods",
                     "legs", "departures", "in_container", "freight_eur", "handling_eur",
                     "container_share_eur", "cost_eur", "co2e_kg", "arrival", "due", "meets_due",
                     "status", "reason"]
PLAN_FILES = ("assignments.csv", "departures.csv", "plan.json")
DEPARTURE_FIELDS = ["service", "departure", "kg_used", "capacity_kg", "m3_used", "capacity_m3",
                    "containers", "container_eur", "consignments", "in_container"]


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
    }


def assignment_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for a in plan.assignments:
        c = a.consignment
        rows.append({
            "consignment": c.id, "origin": c.origin, "destination": c.destination,
            "weight_kg": c.weight_kg, "volume_m3": c.volume_m3, "goods": c.goods,
            "legs": " > ".join(leg.service_id for leg in a.legs),
            "departures": " > ".join(leg.depart.isoformat() for leg in a.legs),
            "in_container": " > ".join("yes" if leg.in_container else "no" for leg in a.legs),
            "freight_eur": round(a.freight_eur, 2), "handling_eur": round(a.handling_eur, 2),
            "container_share_eur": round(a.container_share_eur, 2), "cost_eur": round(a.cost_eur, 2),
            "co2e_kg": round(a.co2e_kg, 3), "arrival": a.arrive.isoformat(),
            "due": c.due.isoformat() if c.due else "",
            "meets_due": {True: "yes", False: "no", None: ""}[a.meets_due], "status": "served",
            "reason": "",
        })
    for u in plan.unassigned:
        c = u.consignment
        rows.append(dict.fromkeys(ASSIGNMENT_FIELDS, "") | {
            "consignment": c.id, "origin": c.origin, "destination": c.destination,
            "weight_kg": c.weight_kg, "volume_m3": c.volume_m3, "goods": c.goods,
            "due": c.due.isoformat() if c.due else "", "status": f"unassigned: {u.reason}",
            "reason": u.detail})
    return rows


def departure_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{
        "service": d.service_id, "departure": d.depart.isoformat(), "kg_used": round(d.weight_kg, 3),
        "capacity_kg": d.capacity_kg, "m3_used": round(d.volume_m3, 3), "capacity_m3": d.capacity_m3,
        "containers": d.containers, "container_eur": d.container_eur,
        "consignments": " ".join(d.consignments), "in_container": " ".join(d.in_container),
    } for d in plan.departures]


def plan_document(plan: Plan) -> dict[str, Any]:
    """Everything: summary, assignments (legs in detail), unassigned with reasons, departures."""
    return {
        "summary": summary(plan),
        "assignments": [{
            "consignment": a.consignment.id, "cost_eur": round(a.cost_eur, 2),
            "freight_eur": round(a.freight_eur, 2), "handling_eur": round(a.handling_eur, 2),
            "container_share_eur": round(a.container_share_eur, 2), "co2e_kg": round(a.co2e_kg, 3),
            "arrival": a.arrive.isoformat(), "meets_due": a.meets_due,
            "legs": [{"service": leg.service_id, "from": leg.origin, "to": leg.destination,
                      "mode": leg.mode, "depart": leg.depart.isoformat(),
                      "arrive": leg.arrive.isoformat(), "in_container": leg.in_container,
                      "freight_eur": round(leg.freight_eur, 2), "co2e_kg": round(leg.co2e_kg, 3)}
                     for leg in a.legs],
        } for a in plan.assignments],
        "unassigned": [{"consignment": u.consignment.id, "reason": u.reason, "detail": u.detail,
                        "full_departures": list(u.full_departures)} for u in plan.unassigned],
        "departures": departure_rows(plan),
    }


def plan_files(plan: Plan) -> dict[str, str]:
    """The text of each of PLAN_FILES."""
    return {
        "assignments.csv": to_csv(assignment_rows(plan), ASSIGNMENT_FIELDS),
        "departures.csv": to_csv(departure_rows(plan), DEPARTURE_FIELDS),
        "plan.json": to_json(plan_document(plan)) + "\n",
    }


def write_plan(plan: Plan, directory: str | Path, protected: Iterable[str | Path] = ()) -> list[Path]:
    """Write the three files into `directory` (created if missing), all or none, never over an input."""
    out = Path(directory)
    with OutputSet(protected) as outputs:
        outputs.make_dir(out)
        written = [outputs.add(out / name, text) for name, text in plan_files(plan).items()]
        outputs.commit()
    return written
