"""Service calendars: on which local dates, and at which instants, a service may leave.

GTFS is the model (`calendar.txt`, `calendar_dates.txt`). A service's calendar holds
- `periods`: the validity periods of its rate rows (`valid_from`..`valid_to`, inclusive local
  dates at the service's origin; an open end is None); no period means always valid;
- `added` and `removed`: single dates of `calendar_dates.csv` (an extra run, a cancelled one);
- `edits`: what-if scenarios' openings and closures, applied in order over the rest.

The open set of a service is ((union of periods) ∪ added dates − removed dates), then each edit
in order (an opening adds its window, a closure removes it). A date stands for every instant of
that local day at the origin ([00:00, next day's 00:00), read with the DST rule of
`network.timetable`); an instant window [start, end) is taken as it is.

A timetabled service leaves at each weekly departure (and each added date's departure time)
that lies in the open set. An on-demand service may leave at any instant of the open set: cargo
available at t leaves at the first open instant at or after t.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from network.errors import InvalidFieldsError

INF = float("inf")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# A local date (the whole day), an aware instant, a naive date-time (local at the service's
# origin, read with the DST rule of departures), or open (None).
Bound = date | datetime | None
Span = tuple[float, float]  # [start, end) in POSIX seconds


@dataclass(frozen=True)
class Edit:
    """One scenario change of a calendar: open or close [start, end) (module docstring).

    A date `start` is that day's first instant; a date `end` is inclusive (the window ends at
    the next day's first instant); a date-time is an instant (`end` exclusive), local at the
    origin when it has no offset.
    """

    opening: bool
    start: Bound
    end: Bound
    label: str = ""

    def __post_init__(self) -> None:
        errors: list[tuple[str, str]] = []
        if self.start is not None and self.end is not None and not _after(self.end, self.start):
            errors.append(("end", f"{_text(self.end)} is not after {_text(self.start)}"))
        if errors:
            raise InvalidFieldsError("calendar edit", errors)


def _text(value: Bound) -> str:
    return "open" if value is None else value.isoformat()


def _after(end: date | datetime, start: date | datetime) -> bool:
    """Whether a window ending at `end` (a date: inclusive) ends after it starts at `start`.
    Instants of different kinds (aware, local) are compared by date, the best that can be
    done without a time zone."""
    if isinstance(end, datetime) and isinstance(start, datetime) and \
            (end.tzinfo is None) == (start.tzinfo is None):
        return end > start
    end_day = end.date() if isinstance(end, datetime) else end
    start_day = start.date() if isinstance(start, datetime) else start
    return end_day >= start_day


@dataclass(frozen=True)
class Calendar:
    """When a service may leave (module docstring). The default is always."""

    periods: tuple[tuple[date | None, date | None], ...] = ()
    added: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()
    edits: tuple[Edit, ...] = ()

    def __post_init__(self) -> None:
        errors = []
        for first, last in self.periods:
            if first is not None and last is not None and last < first:
                errors.append(("valid_to", f"{last.isoformat()} is before valid_from {first.isoformat()}"))
        both = sorted(self.added & self.removed)
        if both:
            errors.append(("date", f"{both[0].isoformat()} is both added and removed"))
        if errors:
            raise InvalidFieldsError("calendar", errors)

    def __hash__(self) -> int:
        # Cached: scenarios look calendars up by value thousands of times.
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.periods, self.added, self.removed, self.edits))
            self.__dict__["_hash"] = found
        return found

    @property
    def is_always(self) -> bool:
        """True when the calendar restricts nothing (the fast path everywhere)."""
        return not (self.periods or self.added or self.removed or self.edits)

    def with_edits(self, *edits: Edit) -> Calendar:
        """This calendar with `edits` appended (each edit is valid, and edits cannot make a
        calendar invalid, so nothing is checked again: scenarios apply in milliseconds)."""
        new = object.__new__(Calendar)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_hash", None)
        object.__setattr__(new, "edits", (*self.edits, *edits))
        return new

    def valid_on(self, day: date) -> bool:
        """Whether `day` is in the validity periods (exceptions and edits aside)."""
        return not self.periods or any((first is None or first <= day) and (last is None or day <= last)
                                       for first, last in self.periods)


ALWAYS = Calendar()


@lru_cache(maxsize=65_536)
def _midnight(day: date, tz: object) -> float:
    """POSIX seconds of the first instant of local `day` (a midnight in a DST gap reads as the
    clock time one hour later, as departures do)."""
    local = datetime.combine(day, time(0), tzinfo=tz)  # type: ignore[arg-type]
    return (local.astimezone(UTC) - _EPOCH).total_seconds()


@lru_cache(maxsize=65_536)
def _instant(value: date | datetime, tz: object, *, end: bool) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)  # type: ignore[arg-type]
        return (value.astimezone(UTC) - _EPOCH).total_seconds()
    return _midnight(value + timedelta(days=1) if end else value, tz)


def window_span(start: Bound, end: Bound, tz: object) -> Span:
    """The instants [start, end) of a window (module docstring) at an origin in zone `tz`."""
    return (-INF if start is None else _instant(start, tz, end=False),
            INF if end is None else _instant(end, tz, end=True))


def overlap(spans: list[Span], window: Span) -> str:
    """How open spans meet a window: "none", "all" (every open instant is in it) or "part"."""
    inside = _subtract(spans, [(-INF, window[0]), (window[1], INF)])
    if not inside:
        return "none"
    return "all" if inside == spans else "part"


def _union(a: list[Span], b: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(a + b):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _subtract(a: list[Span], b: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in a:
        pieces = [(start, end)]
        for cut_start, cut_end in b:
            nxt: list[Span] = []
            for s, e in pieces:
                if cut_end <= s or e <= cut_start:
                    nxt.append((s, e))
                    continue
                if s < cut_start:
                    nxt.append((s, cut_start))
                if cut_end < e:
                    nxt.append((cut_end, e))
            pieces = nxt
        out.extend(pieces)
    return out


class Schedule:
    """A calendar compiled for one origin time zone and departure time: the open set as sorted
    POSIX spans, and the instants of added dates (module docstring)."""

    def __init__(self, calendar: Calendar, tz: object, departure: time | None) -> None:
        day_span = [(_midnight(d, tz), _midnight(d + timedelta(days=1), tz)) for d in sorted(calendar.added)]
        if calendar.periods:
            spans = [(-INF if first is None else _midnight(first, tz),
                      INF if last is None else _midnight(last + timedelta(days=1), tz))
                     for first, last in calendar.periods]
            spans = _union(_union([], spans), day_span)
        else:
            spans = [(-INF, INF)]
        removed = [(_midnight(d, tz), _midnight(d + timedelta(days=1), tz)) for d in sorted(calendar.removed)]
        spans = _subtract(spans, removed)
        for edit in calendar.edits:
            window = [window_span(edit.start, edit.end, tz)]
            spans = _union(spans, window) if edit.opening else _subtract(spans, window)
        self.bounds: list[float] = [x for span in spans for x in span]
        self.added: list[float] = sorted(
            (datetime.combine(d, departure, tzinfo=tz) - _EPOCH).total_seconds()  # type: ignore[arg-type]
            for d in calendar.added) if departure is not None else []

    def is_open(self, t: float) -> bool:
        """Whether the service may leave at instant `t`."""
        return bisect_right(self.bounds, t) % 2 == 1

    def open_from(self, t: float) -> float | None:
        """The first open instant at or after `t`, or None."""
        i = bisect_right(self.bounds, t)
        if i % 2 == 1:
            return t
        return self.bounds[i] if i < len(self.bounds) else None

    def open_until(self, t: float) -> float | None:
        """The last open instant at or before `t`, or None; where an open span ends before `t`
        its end is returned, an upper bound of the instants in it (spans are half-open)."""
        i = bisect_right(self.bounds, t)
        if i % 2 == 1:
            return t
        return self.bounds[i - 1] if i > 0 else None

    def filter(self, base: tuple[float, ...], start: float, end: float) -> tuple[float, ...]:
        """The departures in [start, end): `base` (the weekly timetable's, sorted) and the added
        dates' departures, where the service is open."""
        kept = [t for t in base if self.is_open(t)]
        extra = [t for t in self.added if start <= t < end and self.is_open(t) and t not in base]
        if extra:
            return tuple(sorted(kept + extra))
        return tuple(kept)

    def spans(self) -> list[Span]:
        """The open set as [start, end) spans (±inf for open ends)."""
        b = self.bounds
        return [(b[i], b[i + 1]) for i in range(0, len(b), 2)]
