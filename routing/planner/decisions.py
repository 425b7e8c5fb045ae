"""A plan's decisions and a solver's answer, shared by every stage (no stage imports another's)."""

from __future__ import annotations

from dataclasses import dataclass, field

DepKey = tuple[str, float]  # a departure: (service id, POSIX departure instant)
Chosen = dict[int, int]  # consignment index -> candidate index
Boxes = dict[DepKey, int]  # container departure -> containers bought
Boxed = set[tuple[int, DepKey]]  # (consignment, departure) riding in a bought container
Decisions = tuple[Chosen, Boxes, Boxed]


@dataclass
class Solution:
    """A solver's answer: chosen candidates, containers, and what it proves."""

    chosen: Chosen
    boxes: Boxes = field(default_factory=dict)
    boxed: Boxed = field(default_factory=set)
    objective: float = 0.0
    bound: float | None = None  # valid over every itinerary, or None
    termination: str = ""
    served_bound: int | None = None  # proven over every itinerary, or None
    model_size: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def decisions(self) -> Decisions:
        return self.chosen, self.boxes, self.boxed
