"""HTML of popups, tooltips and panels. Every string from data goes through `esc`."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from maps.flows import ServiceFlow, Unassigned
from maps.style import END_STROKE, KIND_STYLES, MODE_STYLES, LineStyle, MarkerStyle, kind_style
from network.model import Location, Network, Service
from routing.itinerary import Itinerary, Leg


def esc(value: object) -> str:
    """`value` as HTML text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(value), quote=True)


def local_time(instant: datetime) -> str:
    """An aware instant in its own zone, e.g. `2026-12-01 09:00 +0100 (Europe/Brussels)`."""
    zone = getattr(instant.tzinfo, "key", None) or instant.tzname() or ""
    text = instant.strftime("%Y-%m-%d %H:%M %z")
    return f"{text} ({zone})" if zone else text


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
    ])


def location_tooltip(location: Location, role: str = "") -> str:
    """A location's name (with its role for the origin and destination)."""
    return f"{esc(role)}: {esc(location.name)}" if role else esc(location.name)


def _leg_facts(network: Network, leg: Leg) -> list[tuple[str, str]]:
    s = leg.service
    tariff = leg.basis + (f" ×{leg.containers}" if leg.containers else "")
    return [
        ("service", esc(s.id)),
        ("operator", esc(s.operator)),
        ("mode", esc(s.mode)),
        ("from → to", f"{esc(network.locations[s.origin].name)} → "
                      f"{esc(network.locations[s.destination].name)}"),
        ("departs", esc(local_time(leg.depart))),
        ("arrives", esc(local_time(leg.arrive))),
        ("chargeable weight", f"{leg.chargeable_kg:,.0f} kg"),
        ("tariff", esc(tariff)),
        ("cost", f"EUR {leg.cost_eur:,.2f}"),
        ("CO2e", f"{leg.co2e_kg:,.1f} kg"),
    ]


def leg_popup(network: Network, leg: Leg, layer: str) -> str:
    """Everything about one leg; `layer` names the itinerary it belongs to."""
    return f"<b>{esc(layer)}</b>" + _rows(_leg_facts(network, leg))


def leg_tooltip(network: Network, leg: Leg) -> str:
    """The same facts as the popup, compactly."""
    facts = dict(_leg_facts(network, leg))
    return (f"<b>{facts['service']}</b> · {facts['mode']} · {facts['operator']}<br>"
            f"{facts['from → to']}<br>"
            f"departs {facts['departs']}<br>arrives {facts['arrives']}<br>"
            f"{facts['chargeable weight']} chargeable · {facts['cost']} · {facts['CO2e']} CO2e")


def title_panel(title: str, computed_at: datetime, as_of: tuple[str, str], subtitle: str = "") -> str:
    """The query, when it was computed, and how current the network data is."""
    start, end = as_of
    data = f"network data as of {esc(start)} to {esc(end)}" if start else "network data undated"
    sub = f"<div>{esc(subtitle)}</div>" if subtitle else ""
    return (f'<div class="sr-panel sr-title" id="sr-title"><h1>{esc(title)}</h1>{sub}'
            f"<div>computed {esc(local_time(computed_at))} · {data}</div></div>")


def _line_sample(style: LineStyle) -> str:
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    cap = "round" if style.dash else "butt"
    return (f'<svg width="46" height="10"><line x1="3" y1="5" x2="43" y2="5" stroke="{style.color}" '
            f'stroke-width="{style.weight}" stroke-linecap="{cap}"{dash}/></svg>')


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


def legend_panel(modes: Sequence[str], kinds: Sequence[str], note: str = "") -> str:
    """Line samples of the modes and marker samples of the location kinds on the map."""
    rows = [f"<tr><td>{_line_sample(MODE_STYLES[m])}</td><td>{esc(MODE_STYLES[m].label)}</td></tr>"
            for m in MODE_STYLES if m in modes]
    ordered = [k for k in KIND_STYLES if k in kinds] + sorted(set(kinds) - set(KIND_STYLES))
    rows += [f"<tr><td>{marker_svg(kind_style(k), 14)}</td><td>{esc(kind_style(k).label)}</td></tr>"
             for k in ordered]
    rows.append(f"<tr><td>{marker_svg(kind_style('city'), 18, end=True)}</td>"
                "<td>Origin / destination</td></tr>")
    foot = f"<div>{esc(note)}</div>" if note else ""
    return (f'<div class="sr-panel sr-legend" id="sr-legend"><b>Legend</b><table>{"".join(rows)}'
            f"</table>{foot}</div>")


def summary_panel(names: Sequence[str], itineraries: Sequence[Itinerary], best_index: int) -> str:
    """A table comparing the itineraries; the one shown by default is marked."""
    head = ("<tr><th></th><th>itinerary</th><th class='num'>EUR</th><th class='num'>days</th>"
            "<th>arrives (local)</th><th class='num'>kg CO2e</th><th>meets due</th>"
            "<th>services</th></tr>")
    rows = []
    for i, (name, it) in enumerate(zip(names, itineraries, strict=True)):
        due = {True: "yes", False: "NO", None: "–"}[it.meets_due]
        mark = "★" if i == best_index else str(i + 1)
        rows.append(
            f"<tr class='{'best' if i == best_index else ''}'><td>{mark}</td><td>{esc(name)}</td>"
            f"<td class='num'>{it.cost_eur:,.0f}</td><td class='num'>{it.transit_h / 24:.1f}</td>"
            f"<td>{esc(local_time(it.arrive))}</td><td class='num'>{it.co2e_kg:,.0f}</td>"
            f"<td>{due}</td><td>{esc(' > '.join(it.signature))}</td></tr>")
    return (f'<div class="sr-panel sr-summary" id="sr-summary"><b>Itineraries</b> '
            f"(★ shown; tick others in the layer control)<table>{head}{''.join(rows)}</table></div>")


def flow_popup(network: Network, service: Service, flow: ServiceFlow) -> str:
    """Tonnes carried on a service by the plan and its utilisation."""
    origin = network.locations[service.origin].name
    destination = network.locations[service.destination].name
    return f"<b>{esc(service.id)}</b>" + _rows([
        ("operator", esc(service.operator)),
        ("mode", esc(service.mode)),
        ("from → to", f"{esc(origin)} → {esc(destination)}"),
        ("carried", f"{flow.tonnes:,.2f} t"),
        ("consignments", f"{flow.consignments:,}"),
        ("utilisation", esc(flow.utilisation or "n/a")),
    ])


def flow_tooltip(service: Service, flow: ServiceFlow) -> str:
    """Service, tonnes and utilisation on one line."""
    util = f" · {esc(flow.utilisation)}" if flow.utilisation else ""
    return f"<b>{esc(service.id)}</b> · {esc(service.mode)} · {flow.tonnes:,.1f} t{util}"


def unassigned_panel(items: Sequence[Unassigned]) -> str:
    """Every consignment the plan could not place, with the reason."""
    if not items:
        body = "<div>none — every consignment is assigned</div>"
    else:
        body = "<table>" + "".join(f"<tr><td>{esc(u.consignment_id)}</td><td>{esc(u.reason)}</td></tr>"
                                   for u in items) + "</table>"
    return (f'<div class="sr-panel sr-unassigned" id="sr-unassigned"><b>Unassigned consignments '
            f"({len(items):,})</b>{body}</div>")
