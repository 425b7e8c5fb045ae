"""Capacity-aware batch planning: many consignments onto scheduled departures, with containers.

`plan_consignments` (routing/planner/pipeline.py) is imported on first use: the solver stack
is heavy, and the CLI's other commands should not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routing.planner.model import Assignment, DepartureUse, Plan, PlanRequest, PlanSettings, Unassigned

if TYPE_CHECKING:
    from routing.planner.pipeline import plan_consignments

__all__ = ["Assignment", "DepartureUse", "Plan", "PlanRequest", "PlanSettings", "Unassigned",
           "plan_consignments"]


def __getattr__(name: str) -> Any:
    if name == "plan_consignments":
        from routing.planner.pipeline import plan_consignments

        return plan_consignments
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
