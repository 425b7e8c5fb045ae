"""Capacity-aware batch planning: many consignments onto scheduled departures, with containers."""

from routing.planner.model import Assignment, DepartureUse, Plan, PlanRequest, PlanSettings, Unassigned
from routing.planner.pipeline import plan_consignments

__all__ = ["Assignment", "DepartureUse", "Plan", "PlanRequest", "PlanSettings", "Unassigned",
           "plan_consignments"]
