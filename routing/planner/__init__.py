"""Capacity-aware batch planning: many consignments onto scheduled departures, with containers."""

from routing.planner.model import Assignment, DepartureUse, Plan, PlanRequest, Unassigned
from routing.planner.solve import plan_consignments

__all__ = ["Assignment", "DepartureUse", "Plan", "PlanRequest", "Unassigned", "plan_consignments"]
