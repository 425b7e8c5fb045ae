"""Folium maps of results: itineraries (route, compare, pareto) and plan flows.

Pure rendering: every function takes results already computed and never searches. Maps are
self-contained HTML (Leaflet inlined, see maps/assets.py); only basemap tiles need a network.
"""

from maps.closed import closed_services_layer
from maps.flows import ServiceFlow, Unassigned, aggregate_flows, flows_from_departures
from maps.ranking import best_index
from maps.render import flows_map, itineraries_map, layer_names, map_html, save_map

__all__ = ["ServiceFlow", "Unassigned", "aggregate_flows", "best_index", "closed_services_layer",
           "flows_from_departures", "flows_map", "itineraries_map",
           "layer_names", "map_html", "save_map"]
