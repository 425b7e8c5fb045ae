"""Which container departures a plan shares, and what boxing costs where none is shared.

A departure of a container-selling service (a train, a sailing, a full truck) is one of:

- GROUP: consignments may share its containers; the model has its containers n, its boxed
  riders y and their rows (`spec.py`);
- OWN: at most one consignment can ever be on it, which then pays min(LCL, its own whole
  containers), exactly;
- LOOSE: no number of containers can ever pay for itself, whoever rides it, so every rider
  pays LCL.

Only on-demand legs from *origin-only* locations (no service arrives there) can be OWN or
LOOSE: an on-demand leg leaves when the cargo is available (at the first open instant of its
calendar from then, or at the start of a later price stretch: `tariff.py`), so the consignments
that can be on such a leg at instant t are exactly those whose origin it is and whose ready time
leads to t (`ContainerRules.riders`). Those are the potential riders: one → OWN; if the
fractional knapsack of their loose freight (less what a boxed rider still pays) in one
container is worth no more than the container (for weight and for volume alike) → LOOSE, since
n containers can then save at most n times that (the knapsack value is concave in capacity).
Both reductions hold over every itinerary, so bounds computed with them stay valid.

Every other departure is a GROUP. Where the model has no group yet for it (no column uses it),
the pricing of new itineraries prices boxing with the Lagrangian multipliers `PRO_RATA`: a
boxed consignment is charged its share of a container, `PRO_RATA` of it by weight and the rest
by volume, which keeps the containers' own reduced cost at zero (a valid multiplier choice).
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

from network.model import Network, Service
from network.timetable import next_open_s, to_seconds
from routing.consignment import Consignment
from routing.planner.objective import PlanObjective
from routing.planner.tariff import plan_tariffs

PRO_RATA = 0.5  # share of a container's price charged by weight (the rest by volume)


class Kind(StrEnum):
    """How a container departure is modelled (module docstring)."""

    GROUP = "group"
    OWN = "own"
    LOOSE = "loose"


def fractional_knapsack(items: list[tuple[float, float]], capacity: float) -> float:
    """The largest value of (value, size) items fitting `capacity`, items divisible."""
    total = 0.0
    for value, size in sorted(items, key=lambda item: -item[0] / item[1]):
        if capacity <= 0:
            break
        take = min(1.0, capacity / size)
        total += take * value
        capacity -= take * size
    return total


class ContainerRules:
    """The kind of every container departure of one plan's network and consignments."""

    def __init__(self, network: Network, consignments: tuple[Consignment, ...],
                 objective: PlanObjective) -> None:
        self.network = network
        self.consignments = consignments
        self.objective = objective
        arrives = {s.destination for s in network.services.values()}
        self.origin_only = frozenset(lid for lid in network.locations if lid not in arrives)
        # Consignments ready at each (origin-only location, instant): the potential riders of
        # an on-demand leg leaving there then.
        self.ready_at: dict[tuple[str, float], list[int]] = defaultdict(list)
        for ci, c in enumerate(consignments):
            if c.origin in self.origin_only:
                self.ready_at[(c.origin, to_seconds(c.ready))].append(ci)
        self._kinds: dict[tuple[str, float], Kind] = {}
        self._riders: dict[str, dict[float, list[int]]] = {}

    def kind(self, service: Service, depart_s: float) -> Kind:
        """How the departure of `service` at `depart_s` is modelled (module docstring)."""
        key = (service.id, depart_s)
        found = self._kinds.get(key)
        if found is None:
            found = self._kinds[key] = self._classify(service, depart_s)
        return found

    def riders(self, service: Service) -> dict[float, list[int]]:
        """For an on-demand service from an origin-only location: the consignments that can
        leave on it at each instant (module docstring), ascending."""
        found = self._riders.get(service.id)
        if found is not None:
            return found
        tariffs = plan_tariffs(self.network)
        at: dict[float, list[int]] = defaultdict(list)
        for (origin, ready_s), cis in sorted(self.ready_at.items()):
            if origin != service.origin:
                continue
            first = next_open_s(service, ready_s)
            if first is None:
                continue
            instants = {first}
            for start in tariffs.later_starts(service, first):
                leave = next_open_s(service, start)
                if leave is None:
                    break
                instants.add(leave)
            for instant in instants:
                at[instant].extend(cis)
        found = self._riders[service.id] = {t: sorted(at[t]) for t in sorted(at)}
        return found

    def _classify(self, service: Service, depart_s: float) -> Kind:
        box = service.container
        if box is None or service.is_timetabled or service.origin not in self.origin_only:
            return Kind.GROUP
        riders = [ci for ci in self.riders(service).get(depart_s, ())
                  if service.accepts(self.consignments[ci].goods)]
        if not riders:
            return Kind.GROUP  # nobody can be there: nothing to decide
        money = self.objective.money
        terms = plan_tariffs(self.network).at(service, depart_s)
        box_eur = terms.box_eur
        assert box_eur is not None
        items = [(money * (terms.loose_eur(self.consignments[ci].weight_kg,
                                           self.consignments[ci].volume_m3) - terms.boxed_eur), ci)
                 for ci in riders]
        by_kg = [(value, self.consignments[ci].weight_kg) for value, ci in items]
        by_m3 = [(value, self.consignments[ci].volume_m3) for value, ci in items]
        saved = min(fractional_knapsack(by_kg, box.kg), fractional_knapsack(by_m3, box.m3))
        if saved <= money * box_eur + 1e-9:
            return Kind.LOOSE
        return Kind.OWN if len(riders) == 1 else Kind.GROUP
