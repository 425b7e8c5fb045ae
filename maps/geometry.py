"""Where legs run: service shapes, great-circle arcs, straight lines, and bounds."""

from __future__ import annotations

from collections.abc import Iterable

from geographiclib.geodesic import Geodesic

from maps.style import GREAT_CIRCLE_POINTS
from network.model import Network, Point, Service


def great_circle(start: Point, end: Point, points: int = GREAT_CIRCLE_POINTS) -> list[Point]:
    """`points` points (at least 2) evenly spaced along the WGS84 geodesic from start to end."""
    points = max(2, points)
    line = Geodesic.WGS84.InverseLine(start[0], start[1], end[0], end[1])
    out: list[Point] = []
    for i in range(points):
        pos = line.Position(line.s13 * i / (points - 1))
        out.append((float(pos["lat2"]), float(pos["lon2"])))
    # Ends exactly on the locations (no floating-point drift), so legs join up.
    out[0], out[-1] = start, end
    return out


def service_path(network: Network, service: Service) -> list[Point]:
    """The points a service's line is drawn through.

    A service with a shape in the network follows it (rail and sea routes), joined to its end
    locations; air flies the great circle; road, and rail or sea without a shape, are drawn
    straight (road) or along the great circle (rail, sea) between the two locations.
    """
    origin = network.locations[service.origin]
    destination = network.locations[service.destination]
    start, end = (origin.lat, origin.lon), (destination.lat, destination.lon)
    shape = network.shapes.get(service.id)
    if shape:
        inner = [p for p in shape if p not in (start, end)]
        return [start, *inner, end]
    if service.mode == "road":
        return [start, end]
    return great_circle(start, end)


def bounds(points: Iterable[Point]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the points, or None when there are none."""
    pts = list(points)
    if not pts:
        return None
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
