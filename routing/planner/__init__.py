"""Capacity-aware batch planning: many consignments onto scheduled departures, with containers."""
