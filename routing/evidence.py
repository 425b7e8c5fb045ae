"""What a chosen itinerary rests on: estimates, and evidence older than `OLD_MONTHS` months on
its ready date (the local date at the origin), so outputs can warn in one line.

The rows an itinerary rests on are each leg's rate row in force on its departure date, the
surcharges it paid, and the locations where it changed service (their handling charges, times
and hub emissions). See `network.audit` for how `as_of` is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from network.audit import OLD_MONTHS, evidence_date, is_old
from network.model import Network
from network.surcharges import is_estimate
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.tariffs import row_at

ACCESS_LABEL = "road (access)"
PlanLegs = tuple[Consignment, Sequence[tuple[str, datetime]]]


@dataclass(frozen=True)
class Evidence:
    """The parts of one itinerary that rest on estimates, and those on old or undated evidence
    (part, as_of), each listed once in itinerary order."""

    estimate_legs: tuple[str, ...]
    estimate_hubs: tuple[str, ...]
    estimate_surcharges: tuple[str, ...]
    old: tuple[tuple[str, str], ...]

    @property
    def warning(self) -> bool:
        return bool(self.estimate_legs or self.estimate_hubs or self.estimate_surcharges or self.old)

    def as_dict(self) -> dict[str, object]:
        return {"estimate_legs": list(self.estimate_legs), "estimate_hubs": list(self.estimate_hubs),
                "estimate_surcharges": list(self.estimate_surcharges),
                "old": [{"part": part, "as_of": as_of} for part, as_of in self.old],
                "old_after_months": OLD_MONTHS, "warning": self.warning}

    def text(self) -> str:
        """`rests on estimates (3 legs, 2 hubs) and on evidence older than 18 months on the
        ready date (AIR-SF-LGG-TAO as of 2023-04)`, or "" when neither."""
        said = []
        counts = [(len(self.estimate_legs), "leg"), (len(self.estimate_hubs), "hub"),
                  (len(self.estimate_surcharges), "surcharge")]
        listed = ", ".join(f"{n} {word}{'s' if n > 1 else ''}" for n, word in counts if n)
        if listed:
            said.append(f"estimates ({listed})")
        if self.old:
            parts = ", ".join(f"{part} as of {as_of or 'an undated source'}" for part, as_of in self.old)
            said.append(f"evidence older than {OLD_MONTHS} months on the ready date ({parts})")
        return ("rests on " + " and on ".join(said)) if said else ""


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def itinerary_evidence(network: Network, it: Itinerary) -> Evidence:
    """The evidence `it` rests on (module docstring)."""
    c = it.consignment
    day = c.ready.astimezone(network.locations[c.origin].zone).date()
    legs: list[str] = []
    hubs: list[str] = []
    fees: list[str] = []
    old: dict[str, str] = {}
    by_id = {s.id: s for s in network.surcharges}
    for leg in it.legs:
        service = leg.service
        label = ACCESS_LABEL if service.id.startswith("ACCESS-") else service.base_id
        row = row_at(network, service, leg.pricing.day) if leg.pricing is not None else service
        if leg.price_is_estimate or is_estimate(row.source):
            legs.append(label)
        if is_old(evidence_date(row.as_of), day):
            old.setdefault(label, row.as_of)
        for applied in leg.pricing.surcharges if leg.pricing is not None else ():
            if is_estimate(applied.source):
                fees.append(applied.id)
            surcharge = by_id.get(applied.id)
            if surcharge is not None and is_old(evidence_date(surcharge.as_of), day):
                old.setdefault(f"surcharge {applied.id}", surcharge.as_of)
    for h in it.handling:
        location = network.locations[h.location]
        if is_estimate(location.source):
            hubs.append(h.location)
        if is_old(evidence_date(location.as_of), day):
            old.setdefault(f"handling at {h.location}", location.as_of)
    return Evidence(_unique(legs), _unique(hubs), _unique(fees), tuple(old.items()))


def evidence_note(network: Network, itineraries: Sequence[tuple[str, Itinerary]]) -> str | None:
    """One line for the notes: what each (label, itinerary) that rests on estimates or old
    evidence rests on; None when none does."""
    said = []
    for label, it in itineraries:
        text = itinerary_evidence(network, it).text()
        if text:
            said.append(f"{label} {text}")
    return "; ".join(said) if said else None


def plan_evidence_note(network: Network, assignments: Sequence[PlanLegs]) -> str | None:
    """One line on what a plan's assignments rest on: how many rest on estimates, and the rows
    of evidence older than `OLD_MONTHS` months on their consignment's ready date; None when
    none does. `assignments`: (consignment, ((service id, departure), ...)) per assignment."""
    estimated = 0
    dated: set[int] = set()
    old: dict[str, str] = {}
    for n, (c, legs) in enumerate(assignments):
        day = c.ready.astimezone(network.locations[c.origin].zone).date()
        resting = False
        for i, (sid, depart) in enumerate(legs):
            service = network.services[sid]
            row = row_at(network, service, depart.astimezone(network.locations[service.origin].zone).date())
            label = ACCESS_LABEL if sid.startswith("ACCESS-") else service.base_id
            resting |= is_estimate(row.source)
            if is_old(evidence_date(row.as_of), day):
                old.setdefault(label, row.as_of)
                dated.add(n)
            if i:
                location = network.locations[service.origin]
                resting |= is_estimate(location.source)
                if is_old(evidence_date(location.as_of), day):
                    old.setdefault(f"handling at {location.id}", location.as_of)
                    dated.add(n)
        estimated += resting
    if not estimated and not dated:
        return None
    total = len(assignments)
    said = []
    if estimated:
        said.append(f"{estimated} of {total} assignments rest on estimates")
    if dated:
        parts = ", ".join(f"{part} as of {as_of or 'an undated source'}" for part, as_of in old.items())
        said.append(f"{len(dated)} of {total} on evidence older than {OLD_MONTHS} months on their "
                    f"ready date ({parts})")
    return "; ".join(said)
