"""The loader against the default data and against broken networks named after their error."""

from __future__ import annotations

from pathlib import Path

import pytest

from network import columns as C
from network import load_network
from network.errors import FileFormatError, InputError
from network.graph import reachable, services_by_mode, to_graph

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"


@pytest.fixture(scope="module")
def default():
    return load_network()


def test_default_network_loads_and_is_sizeable(default):
    """The embedded network has the cities, hubs and services the product promises."""
    kinds = {loc.kind for loc in default.locations.values()}
    assert kinds == {"city", "rail_terminal", "airport", "seaport"}
    be_cities = [x for x in default.locations.values() if x.country == "BE" and x.kind == "city"]
    cn_cities = [x for x in default.locations.values() if x.country == "CN" and x.kind == "city"]
    assert len(be_cities) >= 12
    assert len(cn_cities) >= 10
    assert {s.mode for s in default.services.values()} == {"road", "rail", "air", "sea"}


def test_every_row_of_the_default_network_cites_a_source(default):
    """Each location and service says where its figures come from and when they held."""
    for item in (*default.locations.values(), *default.services.values()):
        assert item.source.strip(), item.id
        assert item.as_of.strip(), item.id


@pytest.mark.parametrize("city", ["Liège", "Namur", "Charleroi", "Mons", "Verviers", "Wavre",
                                  "Tournai", "Arlon", "Huy", "Brussels", "Antwerp", "Ghent"])
def test_belgian_cities_reach_liege_hub_and_antwerp_by_road(default, city):
    """Every Belgian origin city has road legs to LGG, a Liège rail terminal and Antwerp port."""
    from network.places import lookup

    origin = lookup(default, city)
    targets = {default.locations[s.destination].kind for s in default.outgoing[origin.id]
               if s.mode == "road"}
    assert {"airport", "rail_terminal", "seaport"} <= targets


def test_every_chinese_city_is_reachable_by_rail_air_and_sea(default):
    """From each Belgian city, each Chinese city is reachable; the rail terminal and ports serve it."""
    cn_cities = {x.id for x in default.locations.values() if x.country == "CN" and x.kind == "city"}
    for hub_kind in ("rail_terminal", "airport", "seaport"):
        hubs = [x.id for x in default.locations.values()
                if x.country == "CN" and x.kind == hub_kind]
        served = set().union(*(reachable(default, h) for h in hubs))
        assert cn_cities <= served, hub_kind


def test_graph_view_lists_legs_by_mode(default):
    """The networkx view has one edge per service and groups agree with the service list."""
    graph = to_graph(default)
    assert graph.number_of_edges() == len(default.services)
    assert sum(len(v) for v in services_by_mode(default).values()) == len(default.services)
    rail = to_graph(default, modes=["rail"])
    assert all(d["mode"] == "rail" for _, _, d in rail.edges(data=True))


def test_shapes_follow_their_service_ends(default):
    """Each shape starts near its service's origin and ends near its destination."""
    for sid, points in default.shapes.items():
        service = default.services[sid]
        start, end = default.locations[service.origin], default.locations[service.destination]
        assert abs(points[0][0] - start.lat) < 1.5 and abs(points[0][1] - start.lon) < 1.5, sid
        assert abs(points[-1][0] - end.lat) < 1.5 and abs(points[-1][1] - end.lon) < 1.5, sid


BROKEN = {
    "unknown_location": ("services.csv", 4, C.TO, "unknown location 'NOWHERE'"),
    "duplicate_id": ("locations.csv", 5, C.ID, "duplicate 'ARR'"),
    "negative_number": ("services.csv", 2, C.DISTANCE_KM, "is negative"),
    "nan_number": ("services.csv", 4, C.DISTANCE_KM, "not a finite number"),
    "non_numeric": ("locations.csv", 2, C.LON, "'five' is not a number"),
    "unknown_mode": ("services.csv", 2, C.MODE, "unknown mode 'truck'"),
    "unknown_goods": ("services.csv", 3, C.GOODS, "unknown goods class 'explosives'"),
    "malformed_days": ("services.csv", 3, C.DAYS, "'Thurs-day' is not a weekday"),
    "malformed_departure": ("services.csv", 3, C.DEPARTURE, "'25:00' is not a time of day"),
    "unknown_timezone": ("locations.csv", 4, C.TZ, "unknown time zone 'Asia/Zhengzhou'"),
    "shape_unknown_service": ("shapes.csv", 4, C.SERVICE, "shape for unknown service 'PLANE'"),
    "shape_unknown_service_many_points": ("shapes.csv", 4, C.SERVICE,
                                          "unknown service 'PLANE' (and its 2 other points, to line 6)"),
    "malformed_corridor_row": ("corridors.csv", 2, None, "expected 5 fields, found 3"),
    "missing_column": ("services.csv", 1, C.DURATION_H, "required column is missing"),
    "unknown_column": ("services.csv", 1, "goodz", "unknown column 'goodz'; did you mean 'goods'?"),
    "departure_without_days": ("services.csv", 4, C.DAYS, "required when a departure"),
    "container_incomplete": ("services.csv", 3, C.CONTAINER_EUR, "go together"),
    "wrong_field_count": ("services.csv", 4, None, "expected 24 fields, found 25"),
    "out_of_range": ("services.csv", 2, C.DISTANCE_KM, "1e308 is outside 0..50,000 km"),
    "timezone_is_a_directory": ("locations.csv", 4, C.TZ, "unknown time zone 'Asia'"),
    "header_only_locations": ("locations.csv", None, None, "no locations"),
    "not_utf8": ("locations.csv", 2, C.NAME, "byte 0xE8 (character 8 of the line) is not UTF-8"),
    "utf16_services": ("services.csv", 1, None, "the file looks like UTF-16"),
    "field_too_long": ("locations.csv", 3, C.NAME, "a field is longer than 131,072 characters"),
    # emissions (issue 15)
    "co2e_split_not_summing": ("services.csv", 2, C.CO2E_G_PER_TKM,
                               "95 is not co2e_ttw_g_per_tkm + co2e_wtt_g_per_tkm = 73 + 23 = 96"),
    "co2e_split_half": ("services.csv", 2, C.CO2E_WTT_G_PER_TKM,
                        "is empty while co2e_ttw_g_per_tkm is given"),
    "distance_add_not_air": ("services.csv", 2, C.CO2E_DISTANCE_ADD_KM, "applies to air only"),
    "hub_co2e_split_not_summing": ("locations.csv", 3, C.HUB_CO2E_KG_PER_T,
                                   "0.6 is not hub_co2e_ttw_kg_per_t + hub_co2e_wtt_kg_per_t"),
    "hub_co2e_out_of_range": ("locations.csv", 4, C.HUB_CO2E_KG_PER_T, "1e6 is outside 0..10,000 kg/t"),
    "access_truck_minimum_without_trucks": ("access.csv", 2, C.CONTAINER_EUR_MIN,
                                            "needs container_eur_per_km"),
}

# A file that cannot be read whole is one problem, not one per reference to it.
SINGLE_PROBLEM = ("header_only_locations", "not_utf8", "utf16_services", "field_too_long",
                  # nor one per point of a shape, nor one per service tagged with a corridor
                  # whose row is malformed (its tag was written)
                  "shape_unknown_service_many_points", "malformed_corridor_row")


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_network_reports_file_line_and_column(name):
    """Each broken fixture fails with its error, located by file, line and column."""
    file, line, column, text = BROKEN[name]
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / name)
    matching = [p for p in info.value.problems
                if p.file == file and p.line == line and p.column == column and text in p.message]
    assert matching, [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", SINGLE_PROBLEM)
def test_unreadable_file_does_not_cascade(name):
    """A problem is reported once: files referring to a file that could not be read skip
    their reference checks, a shape naming an unknown service is one problem (not one per
    point), and a service tagged with a corridor whose row is malformed is not another."""
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / name)
    assert len(info.value.problems) == 1, [str(p) for p in info.value.problems]


def test_every_range_names_a_known_column():
    """The range table covers every numeric column, and only real columns."""
    known = (set(C.LOCATION_COLUMNS) | set(C.LOCATION_OPTIONAL_COLUMNS) | set(C.SERVICE_COLUMNS)
             | set(C.SERVICE_OPTIONAL_COLUMNS) | set(C.ACCESS_COLUMNS) | set(C.ACCESS_OPTIONAL_COLUMNS)
             | set(C.SHAPE_COLUMNS) | set(C.RELIABILITY_COLUMNS))
    assert set(C.RANGES) <= known
    for column, (low, high, _) in C.RANGES.items():
        assert low < high, column


def test_the_widest_access_rule_synthesizes_valid_road_legs():
    """Access ranges keep synthesized legs in the service ranges (the antipodes at 5 km/h)."""
    from network.model import AccessRule, Location
    from network.world import WorldCity, _access_services

    def top(column):
        return C.RANGES[column][1]

    rule = AccessRule("BE", 1, top(C.DETOUR_FACTOR), C.RANGES[C.SPEED_KMH][0], top(C.LEAD_TIME_H),
                      top(C.EUR_FIXED), top(C.EUR_PER_TKM), top(C.EUR_MIN), top(C.KG_PER_M3),
                      top(C.CONTAINER_EUR_PER_KM), top(C.CONTAINER_M3), top(C.CONTAINER_KG),
                      top(C.CO2E_G_PER_TKM))
    hub = Location("HUB", "Hub", "seaport", "BE", 0.0, 0.0, "UTC")
    city = WorldCity(1, "Antipode", "BE", 0.0, 180.0, "UTC", 1)
    here = Location("GEO-1", "Antipode", "city", "BE", 0.0, 180.0, "UTC")
    network = load_network(NETWORKS / "valid").with_services({}, {"HUB": hub})
    services = _access_services(network, city, here, rule)  # raises if a leg were out of range
    assert max(s.distance_km for s in services.values()) > 40_000


def test_all_problems_of_a_file_are_reported_together():
    """A row with three defects yields three problems in one error."""
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / "many_errors")
    columns = {p.column for p in info.value.problems}
    assert {C.MODE, C.DISTANCE_KM, C.DURATION_H} <= columns
    assert str(info.value.problems[0]).startswith("services.csv:2:4 (mode)")


def test_valid_fixture_loads():
    """The base of the broken fixtures is itself valid."""
    net = load_network(NETWORKS / "valid")
    assert set(net.services) == {"TRUCK1", "TRAIN", "TRUCK2"}
    assert len(net.shapes["TRAIN"]) == 3


def test_missing_directory_is_an_input_error(tmp_path):
    """A directory that does not exist is reported, not a traceback."""
    with pytest.raises(InputError, match="does not exist"):
        load_network(tmp_path / "nope")
