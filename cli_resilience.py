"""`network resilience`: minimum cuts, corridor exposure and single points of failure of each
main mode, from Belgian origins to Chinese destinations (register on the `network` group)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from formats import table, to_json
from network import columns as C
from network.errors import InputError, RoutingError
from network.world import resolve_place_noted
from routing.itinerary import Itinerary
from routing.report import consignment_dict, itinerary_dict

if TYPE_CHECKING:
    from routing.resilience import Resilience


def _ids(net: Any, places: tuple[str, ...], country: str, role: str, option: str) -> tuple[Any, list[str]]:
    """The network (with any off-network place joined) and the ids of `places`, read as `route`
    reads an origin or destination (names in several languages, postcodes, pinyin); by default
    every city of `country`."""
    if not places:
        return net, sorted(x.id for x in net.locations.values() if x.country == country and x.kind == "city")
    ids = []
    for place in places:
        try:
            net, location, _ = resolve_place_noted(net, place, role)
        except RoutingError as exc:
            exc.field = option
            raise
        ids.append(location.id)
    return net, ids


@click.command("resilience")
@click.option("--from", "origins", multiple=True, help="An origin (repeatable; default: every Belgian city).")
@click.option("--to", "destinations", multiple=True,
              help="A destination (repeatable; default: every Chinese city).")
@click.option("--goods", default="general", show_default=True,
              help="Goods class: " + ", ".join(C.GOODS_CLASSES) + ".")
@click.option("--max-legs", type=click.IntRange(2, 6), default=4, show_default=True,
              help="Longest itinerary counted for the corridor shares.")
@click.option("--lane", nargs=2, default=("Namur", "Zhengzhou"), show_default=True,
              metavar="ORIGIN DESTINATION", help="The reference consignment's lane (what the "
                                                 "next-best options cost).")
@click.option("--weight", default="800kg", show_default=True, help="The reference consignment's weight.")
@click.option("--volume", default="3.5m3", show_default=True, help="The reference consignment's volume.")
@click.option("--ready", default=None, help="The reference consignment's ready time (default: "
                                            "tomorrow 09:00 at the origin).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"], case_sensitive=False), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def resilience(ctx: click.Context, origins: tuple[str, ...], destinations: tuple[str, ...],
                   goods: str, max_legs: int, lane: tuple[str, str], weight: str, volume: str,
                   ready: str | None, fmt: str) -> None:
    """Where the network breaks: minimum cuts per main mode, each corridor's share of the
    itineraries, and the single borders, terminals or airports whose closure removes a mode."""
    from cli import _emit, _request
    from routing.resilience import resilience_report  # networkx: imported only when used

    kw = {"origin": lane[0], "destination": lane[1], "weight": weight, "volume": volume,
          "ready": ready, "due": None, "goods": goods, "value_eur": None, "objective": "cost",
          "eur_per_day": None, "eur_per_tco2": 80.0, "horizon_days": 60.0, "scenario_files": (),
          "horizon_what": "the search horizon of the reference consignment"}
    net, reference, options = _request(ctx, kw, [])
    net, origin_ids = _ids(net, origins, "BE", "origin", "--from")
    net, destination_ids = _ids(net, destinations, "CN", "destination", "--to")
    both = sorted(set(origin_ids) & set(destination_ids))
    if both:  # as `route Namur Namur`: no pair of a place with itself is a lane
        raise InputError(f"--to {net.locations[both[0]].name!r} is the same place as an origin (--from)")
    report = resilience_report(net, origin_ids, destination_ids, goods=goods, max_legs=max_legs,
                               reference=reference, options=options)
    _emit(to_json(_document(net, report)) if fmt == "json" else _text(net, report))



def _it(net: Any, it: Itinerary | None) -> dict[str, Any] | None:
    return None if it is None else itinerary_dict(net, it)


def _document(net: Any, r: Resilience) -> dict[str, Any]:
    return {
        "schema": "silkroute.resilience/1",
        "goods": r.goods, "origins": list(r.origins), "destinations": list(r.destinations),
        "itineraries_counted": r.itineraries, "max_legs": r.max_legs,
        "cuts": [{"mode": c.mode, "pairs_served": c.pairs_served,
                  "min_edge_cut": list(c.services), "min_node_cut": list(c.locations)} for c in r.cuts],
        "corridors": [{"tag": s.tag, "name": s.name, "kind": s.kind, "share": round(s.share, 4),
                       "share_by_mode": {m: round(v, 4) for m, v in s.by_mode.items()}}
                      for s in r.corridors],
        "single_points": [{"closed": p.what, "kind": p.kind, "name": p.name, "removes_mode": p.mode,
                           "base": _it(net, p.base), "next_best": _it(net, p.next_best),
                           "remaining_by_mode": {m: _it(net, it) for m, it in p.remaining.items()}}
                          for p in r.single_points],
        "reference": consignment_dict(net, r.reference) if r.reference else None,
    }


def _text(net: Any, r: Resilience) -> str:
    pairs = len(r.origins) * len(r.destinations)
    parts = [f"Resilience: {len(r.origins)} origins → {len(r.destinations)} destinations "
             f"({pairs} pairs), {r.goods} goods, static graph of services"]
    parts.append("Minimum cuts per main mode (services of the mode and road feeders)\n" + table(
        [[c.mode, f"{c.pairs_served}/{pairs}",
          f"{len(c.services)}: {', '.join(c.services)}" if c.pairs_served else "-",
          f"{len(c.locations)}: " + ", ".join(f"{x} ({net.locations[x].name})" for x in c.locations)
          if c.pairs_served else "-"] for c in r.cuts],
        ["mode", "pairs served", "min edge cut (services)", "min node cut (locations)"]))
    modes = [m for m in ("air", "rail", "sea", "road") if any(m in s.by_mode for s in r.corridors)]
    parts.append(f"Corridor shares of the {r.itineraries:,} itineraries (simple paths of at most "
                 f"{r.max_legs} legs)\n" + table(
                     [[s.tag, s.kind, f"{s.share:.1%}", *[f"{s.by_mode[m]:.1%}" if m in s.by_mode else "-"
                                                          for m in modes]] for s in r.corridors],
                     ["corridor", "kind", "all", *modes], align_right=tuple(range(2, 3 + len(modes)))))
    if r.reference is not None:
        c = r.reference
        lane = f"{net.locations[c.origin].name} → {net.locations[c.destination].name}, " \
               f"{c.weight_kg:,.0f} kg, {c.volume_m3:g} m³"
    else:
        lane = "no reference consignment"
    rows = []
    for p in r.single_points:
        base = p.base
        left = "; ".join(f"{m} EUR {it.cost_eur:,.0f} ({it.transit_h / 24:.1f} d"
                         + (f", {it.cost_eur - base.cost_eur:+,.0f} EUR, "
                            f"{(it.transit_h - base.transit_h) / 24:+.1f} d" if base else "") + ")"
                         for m, it in p.remaining.items()) or "nothing left"
        rows.append([p.what, p.kind, f"all {p.mode}",
                     "" if base is None else f"EUR {base.cost_eur:,.0f} ({base.transit_h / 24:.1f} d)",
                     left])
    parts.append(f"Single points of failure: closing one removes every option of a mode for every "
                 f"pair; what is left for {lane} (best per main mode, change against the lost mode)\n"
                 + (table(rows, ["closed", "kind", "removes", "lost mode's best", "what is left"])
                    if rows else "none"))
    return "\n\n".join(parts)
