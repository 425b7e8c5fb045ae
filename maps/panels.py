"""HTML of popups, tooltips and the sidebar's panels. Every string from data goes through `esc`."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from maps.flows import ServiceFlow, Unassigned
from maps.style import END_STROKE, KIND_STYLES, MODE_STYLES, LineStyle, MarkerStyle, kind_style, mode_style
from network.model import Location, Network, Service
from network.world import ACCESS_OPERATOR
from routing.itinerary import Itinerary, Leg
from routing.reliability import Figures, percent
from routing.report import EUROS, Money


def esc(value: object) -> str:
    """`value` as HTML text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(value), quote=True)


def local_time(instant: datetime) -> str:
    """An aware instant in its own zone, e.g. `2026-12-01 09:00 +0100 (Europe/Brussels)`."""
    zone = getattr(instant.tzinfo, "key", None) or instant.tzname() or ""
    text = instant.strftime("%Y-%m-%d %H:%M %z")
    return f"{text} ({zone})" if zone else text


def short_time(instant: datetime) -> str:
    """`2026-12-01 09:00 +0100`."""
    return instant.strftime("%Y-%m-%d %H:%M %z")


def duration_text(hours: float) -> str:
    """`18 d 0 h (432 h)`, `4 h 12 min`."""
    if hours >= 48:
        days, rest = divmod(round(hours), 24)
        return f"{days} d {rest} h ({hours:,.0f} h)"
    whole = int(hours)
    minutes = round((hours - whole) * 60)
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return f"{whole} h {minutes:02d} min" if minutes else f"{whole} h"


def service_name(service: Service) -> str:
    """The service id, or `road (access)` for a synthesized world-city leg (its id is made up)."""
    return "road (access)" if service.operator == ACCESS_OPERATOR else service.id


def _rows(pairs: Sequence[tuple[str, str]]) -> str:
    """A two-column table; labels are constants, values are escaped by the caller."""
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in pairs) + "</table>"


def location_popup(location: Location, role: str = "") -> str:
    """Name, kind, handling time and cost of a location (and its role in the query)."""
    head = f"<b>{esc(location.name)}</b>" + (f" — {esc(role)}" if role else "")
    per_kg = (f" + EUR {location.handling_eur_per_kg:,.3f}/kg"
              if location.handling_eur_per_kg else "")
    return head + _rows([
        ("id", esc(location.id)),
        ("kind", esc(kind_style(location.kind).label)),
        ("handling time", f"{location.handling_h:g} h"),
        ("handling cost", f"EUR {location.handling_eur:,.2f}{esc(per_kg)}"),
        ("handling CO2e", f"{location.hub_co2e_kg_per_t:g} kg per t handled"),
    ])


def location_tooltip(location: Location, role: str = "") -> str:
    """A location's name (with its role for the origin and destination)."""
    return f"{esc(role)}: {esc(location.name)}" if role else esc(location.name)


def _leg_facts(network: Network, leg: Leg, money: Money = EUROS) -> list[tuple[str, str]]:
    s = leg.service
    tariff = leg.basis + (f" ×{leg.containers}" if leg.containers else "")
    return [
        ("service", esc(service_name(s))),
        ("operator", esc(s.operator)),
        ("mode", esc(s.mode)),
        ("from → to", f"{esc(network.locations[s.origin].name)} → "
                      f"{esc(network.locations[s.destination].name)}"),
        ("departs", esc(local_time(leg.depart))),
        ("arrives", esc(local_time(leg.arrive))),
        ("distance", f"{s.distance_km:,.0f} km"),
        ("duration", esc(duration_text(s.duration_h))),
        ("chargeable weight", f"{leg.chargeable_kg:,.0f} kg"),
        ("tariff", esc(tariff)),
        ("cost", esc(money.text(leg.cost_eur))),
        ("CO2e", f"{leg.co2e_kg:,.1f} kg"),
        ("CO2e split", esc(_split_text(leg.co2e_ttw_kg, leg.co2e_wtt_kg))),
    ]


def reliability_facts(figures: Figures | None) -> list[tuple[str, str]]:
    """The itinerary's reliability (issue 16): p50 and p90 arrivals, on-time and
    missed-connection chances."""
    if figures is None:
        return []
    facts = [("itinerary arrives", f"p50 {esc(_when(figures.arrive_p50))}<br>"
                                   f"p90 {esc(_when(figures.arrive_p90))}")]
    if figures.on_time is not None:
        facts.append(("on time", esc(percent(figures.on_time))))
    facts.append(("misses a connection", esc(percent(figures.missed_connection))))
    return facts


def _when(instant: datetime | None) -> str:
    return "never" if instant is None else short_time(instant)


def _split_text(ttw: float | None, wtt: float | None) -> str:
    """`tank-to-wheel 12.3 kg + well-to-tank 4.5 kg`, or why there is no split."""
    if ttw is None or wtt is None:
        return "not split (the factor gives well to wheel only)"
    return f"tank-to-wheel {ttw:,.1f} kg + well-to-tank {wtt:,.1f} kg"


def leg_popup(network: Network, leg: Leg, layer: str, figures: Figures | None = None,
              money: Money = EUROS) -> str:
    """Everything about one leg; `layer` names the itinerary it belongs to (and `figures` gives
    that itinerary's reliability); its cost in `money`'s currency."""
    return f"<b>{esc(layer)}</b>" + _rows(_leg_facts(network, leg, money) + reliability_facts(figures))


def leg_tooltip(network: Network, leg: Leg, money: Money = EUROS) -> str:
    """The same facts as the popup, compactly."""
    facts = dict(_leg_facts(network, leg, money))
    return (f"<b>{facts['service']}</b> · {facts['mode']} · {facts['operator']}<br>"
            f"{facts['from → to']}<br>"
            f"{facts['distance']} · {facts['duration']}<br>"
            f"departs {facts['departs']}<br>arrives {facts['arrives']}<br>"
            f"{facts['chargeable weight']} chargeable · {facts['cost']} · {facts['CO2e']} CO2e")


def title_panel(title: str, computed_at: datetime, as_of: tuple[str, str], subtitle: str = "") -> str:
    """The query, when it was computed, and how current the network data is."""
    start, end = as_of
    data = f"network data as of {esc(start)} to {esc(end)}" if start else "network data undated"
    sub = f'<div class="sr-sub">{esc(subtitle)}</div>' if subtitle else ""
    return (f'<div class="sr-panel sr-title" id="sr-title"><h1>{esc(title)}</h1>{sub}'
            f'<div class="sr-meta">computed {esc(local_time(computed_at))} · {data}</div></div>')


def line_sample(style: LineStyle, width: float | None = None) -> str:
    """An SVG sample of a mode's line, dashed as on the map at that width."""
    weight = style.weight if width is None else width
    dash = style.dash_array(weight)
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    height = max(10, int(weight) + 4)
    return (f'<svg width="54" height="{height}"><line x1="3" y1="{height / 2}" x2="51" '
            f'y2="{height / 2}" stroke="{style.color}" stroke-width="{weight:g}" '
            f'stroke-linecap="{style.cap}"{pattern}/></svg>')


def marker_svg(style: MarkerStyle, px: int, end: bool = False) -> str:
    """An SVG marker: the kind's shape and colour; origin and destination get a thick outline."""
    stroke, width = (END_STROKE, 3) if end else ("#ffffff", 1.5)
    h = px
    m = width  # margin so the outline is not clipped
    if style.shape == "square":
        body = f'<rect x="{m}" y="{m}" width="{h - 2 * m}" height="{h - 2 * m}"'
    elif style.shape == "triangle":
        body = f'<polygon points="{h / 2},{m} {h - m},{h - m} {m},{h - m}"'
    elif style.shape == "diamond":
        body = f'<polygon points="{h / 2},{m} {h - m},{h / 2} {h / 2},{h - m} {m},{h / 2}"'
    else:
        body = f'<circle cx="{h / 2}" cy="{h / 2}" r="{h / 2 - m}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{h}" height="{h}" '
            f'class="sr-kind-{style.shape}">{body} fill="{style.color}" stroke="{stroke}" '
            f'stroke-width="{width}"/></svg>')


def legend_panel(modes: Sequence[str], kinds: Sequence[str], note: str = "",
                 badges: bool = False) -> str:
    """Line samples of the modes and marker samples of the location kinds on the map."""
    rows = [f"<tr><td>{line_sample(MODE_STYLES[m])}</td><td>{esc(MODE_STYLES[m].label)}</td></tr>"
            for m in MODE_STYLES if m in modes]
    ordered = [k for k in KIND_STYLES if k in kinds] + sorted(set(kinds) - set(KIND_STYLES))
    rows += [f"<tr><td>{marker_svg(kind_style(k), 14)}</td><td>{esc(kind_style(k).label)}</td></tr>"
             for k in ordered]
    rows.append(f"<tr><td>{marker_svg(kind_style('city'), 18, end=True)}</td>"
                "<td>Origin / destination</td></tr>")
    if badges:
        rows.append('<tr><td><div class="sr-badge" style="background:#555;display:inline-block">2'
                    "</div></td><td>Itinerary number (as in the list above), on its main leg</td></tr>")
    foot = f"<div>{esc(note)}</div>" if note else ""
    return (f'<details open class="sr-panel sr-legend" id="sr-legend"><summary>Legend</summary>'
            f"<table>{''.join(rows)}</table>{foot}</details>")


def layers_panel() -> str:
    """Where the layer control is moved to (maps.render): beside the map, not over it."""
    return ('<details open class="sr-panel sr-layers" id="sr-layers"><summary>Layers</summary>'
            "</details>")


def summary_panel(names: Sequence[str], itineraries: Sequence[Itinerary], best_index: int,
                  best_word: str = "", figures: Sequence[Figures | None] | None = None,
                  warnings: Sequence[str] = (), money: Money = EUROS) -> str:
    """The itineraries as cards: number, name, cost, time, CO2e (well to wheel, its split and the
    hubs' part), departure and arrival, due, services (with `figures`, the p50 and p90 arrivals
    and the on-time chance), and what the figures rest on (`warnings`, one text per itinerary,
    "" for none). The one shown first is marked ★."""
    cards = []
    reliable = list(figures) if figures is not None else [None] * len(itineraries)
    notes = list(warnings) or [""] * len(itineraries)
    for i, (name, it) in enumerate(zip(names, itineraries, strict=True)):
        f = reliable[i]
        reliability = "" if f is None else (
            f"<div class='sr-reliability'>p50 {esc(_when(f.arrive_p50))} · p90 "
            f"{esc(_when(f.arrive_p90))}"
            + (f" · on time {esc(percent(f.on_time))}" if f.on_time is not None else "") + "</div>")
        due = {True: "meets the due date", False: "LATE for the due date", None: ""}[it.meets_due]
        style = mode_style(it.main_mode)
        best = i == best_index
        mark = " ★" if best else ""
        services = " > ".join(service_name(leg.service) for leg in it.legs)
        cards.append(
            f"<div class='sr-card{' best' if best else ''}' style='border-color:{style.color}'>"
            f"<div><span class='sr-num' style='background:{style.color}'>{i + 1}</span>"
            f"<b>{esc(name)}</b>{mark}</div>"
            f"<div class='sr-figures'>{esc(money.text(it.cost_eur, 0))} · {it.transit_h / 24:.1f} days · "
            f"{it.co2e_kg:,.0f} kg CO2e</div>"
            f"<div>{esc(_co2_parts(it))}</div>"
            f"<div>departs {esc(short_time(it.depart))}</div>"
            f"<div>arrives {esc(short_time(it.arrive))}{' · ' + due if due else ''}</div>"
            f"{reliability}<div class='sr-services'>{esc(services)}</div>"
            + (f"<div class='sr-warning'>⚠ {esc(notes[i])}</div>" if notes[i] else "")
            + "</div>")
    shown = f"★ shown first ({esc(best_word)})" if best_word else "★ shown first"
    others = "; tick the others under Layers" if len(itineraries) > 1 else ""
    return (f'<details open class="sr-panel sr-summary" id="sr-summary"><summary>Itineraries '
            f"({len(itineraries)})</summary><div>{shown}{others}</div>"
            f"{''.join(cards)}</details>")


def _co2_parts(it: Itinerary) -> str:
    """`well to wheel: TTW 120 + WTT 231 kg; hubs 2 kg`."""
    ttw, wtt = it.co2e_ttw_kg, it.co2e_wtt_kg
    split = f"TTW {ttw:,.0f} + WTT {wtt:,.0f} kg; " if ttw is not None and wtt is not None else ""
    return f"well to wheel: {split}hubs {it.co2e_hub_kg:,.1f} kg"


def _share(used: float | None, capacity: float | None, unit: str, digits: int) -> str:
    if used is None:
        return "n/a"
    text = f"{used:,.{digits}f} {unit}"
    if capacity:
        text += f" of {capacity:,.{digits}f} {unit} ({used / capacity:.0%})"
    else:
        text += " (no capacity limit)"
    return text


def flow_popup(network: Network, service: Service, flow: ServiceFlow) -> str:
    """What a plan carries on a service: kg and m³ against capacity, containers, departures."""
    origin = network.locations[service.origin].name
    destination = network.locations[service.destination].name
    rows = [
        ("operator", esc(service.operator)),
        ("mode", esc(service.mode)),
        ("from → to", f"{esc(origin)} → {esc(destination)}"),
        ("distance", f"{service.distance_km:,.0f} km"),
        ("duration", esc(duration_text(service.duration_h))),
        ("weight", esc(_share(flow.tonnes * 1000, flow.capacity_kg, "kg", 0))),
        ("volume", esc(_share(flow.m3, flow.capacity_m3, "m³", 1))),
        ("consignments", f"{flow.consignments:,}"),
        ("departures used", f"{flow.departures:,}" if flow.departures else "n/a"),
    ]
    if service.container is not None:
        rows.append(("containers bought", f"{flow.containers:,} (EUR {service.container.eur:,.0f} "
                                          f"each, {service.container.m3:g} m³ / "
                                          f"{service.container.kg:,.0f} kg)"))
    if flow.utilisation:
        rows.append(("utilisation", esc(flow.utilisation)))
    return f"<b>{esc(service_name(service))}</b>" + _rows(rows)


def flow_tooltip(service: Service, flow: ServiceFlow) -> str:
    """Service, tonnes and utilisation on one line."""
    util = f" · {esc(flow.utilisation)}" if flow.utilisation else ""
    return f"<b>{esc(service_name(service))}</b> · {esc(service.mode)} · {flow.tonnes:,.1f} t{util}"


def city_flows_popup(network: Network, city: Location, direction: str,
                     parts: Sequence[tuple[Service, ServiceFlow]]) -> str:
    """The road legs into (or out of) one city, aggregated: tonnes per hub."""
    total = sum(f.tonnes for _, f in parts)
    count = sum(f.consignments for _, f in parts)
    head = (f"<b>{esc(city.name)}</b> — road {'deliveries' if direction == 'to' else 'collections'}"
            f": {total:,.1f} t, {count:,} consignment{'s' * (count != 1)}")
    rows = []
    for service, flow in sorted(parts, key=lambda p: -p[1].tonnes):
        hub = service.origin if direction == "to" else service.destination
        rows.append((esc(network.locations[hub].name),
                     f"{flow.tonnes:,.1f} t · {flow.consignments:,} consignments · "
                     f"{service.distance_km:,.0f} km"))
    return head + _rows(rows)


def unassigned_panel(items: Sequence[Unassigned]) -> str:
    """Every consignment the plan could not place, with the reason in words."""
    if not items:
        body = "<div>none — every consignment is assigned</div>"
    else:
        body = ("<div class='sr-unassigned-list'><table>"
                + "".join(f"<tr><td>{esc(u.consignment_id)}</td><td>{esc(u.reason)}</td></tr>"
                          for u in items) + "</table></div>")
    return (f'<details {"open " if len(items) <= 50 else ""}class="sr-panel sr-unassigned" '
            f'id="sr-unassigned"><summary>Unassigned consignments ({len(items):,})</summary>'
            f"{body}</details>")
