"""Agreed names: CSV columns, location kinds, modes and goods classes.

Every module refers to these constants instead of repeating string literals, so a
column rename is one edit here (the OSMnx way).
"""

from __future__ import annotations

LOCATIONS_FILE = "locations.csv"
SERVICES_FILE = "services.csv"
SHAPES_FILE = "shapes.csv"
ACCESS_FILE = "access.csv"

# locations.csv
ID = "id"
NAME = "name"
KIND = "kind"
COUNTRY = "country"
LAT = "lat"
LON = "lon"
TZ = "tz"
HANDLING_H = "handling_h"
HANDLING_EUR = "handling_eur"
HANDLING_EUR_PER_KG = "handling_eur_per_kg"
SOURCE = "source"
AS_OF = "as_of"

LOCATION_COLUMNS = (
    ID, NAME, KIND, COUNTRY, LAT, LON, TZ,
    HANDLING_H, HANDLING_EUR, HANDLING_EUR_PER_KG, SOURCE, AS_OF,
)

# services.csv
FROM = "from"
TO = "to"
MODE = "mode"
OPERATOR = "operator"
DISTANCE_KM = "distance_km"
DURATION_H = "duration_h"
DAYS = "days"
DEPARTURE = "departure"
CUTOFF_H = "cutoff_h"
CAPACITY_KG = "capacity_kg"
CAPACITY_M3 = "capacity_m3"
KG_PER_M3 = "kg_per_m3"
EUR_FIXED = "eur_fixed"
EUR_PER_KG = "eur_per_kg"
EUR_PER_TKM = "eur_per_tkm"
EUR_MIN = "eur_min"
CONTAINER_EUR = "container_eur"
CONTAINER_M3 = "container_m3"
CONTAINER_KG = "container_kg"
CO2E_G_PER_TKM = "co2e_g_per_tkm"
GOODS = "goods"

SERVICE_COLUMNS = (
    ID, FROM, TO, MODE, OPERATOR, DISTANCE_KM, DURATION_H, DAYS, DEPARTURE, CUTOFF_H,
    CAPACITY_KG, CAPACITY_M3, KG_PER_M3, EUR_FIXED, EUR_PER_KG, EUR_PER_TKM, EUR_MIN,
    CONTAINER_EUR, CONTAINER_M3, CONTAINER_KG, CO2E_G_PER_TKM, GOODS, SOURCE, AS_OF,
)

# shapes.csv
SERVICE = "service"
SEQ = "seq"
SHAPE_COLUMNS = (SERVICE, SEQ, LAT, LON)

# access.csv: how an off-network world city is joined to the network by road.
NEAREST_K = "nearest_k"
DETOUR_FACTOR = "detour_factor"
SPEED_KMH = "speed_kmh"
LEAD_TIME_H = "lead_time_h"
CONTAINER_EUR_PER_KM = "container_eur_per_km"
ACCESS_COLUMNS = (
    COUNTRY, NEAREST_K, DETOUR_FACTOR, SPEED_KMH, LEAD_TIME_H, EUR_FIXED, EUR_PER_TKM, EUR_MIN,
    KG_PER_M3, CONTAINER_EUR_PER_KM, CONTAINER_M3, CONTAINER_KG, CO2E_G_PER_TKM, SOURCE, AS_OF,
)

# Vocabularies.
KINDS = ("city", "rail_terminal", "airport", "seaport")
MODES = ("road", "rail", "air", "sea")
GOODS_CLASSES = ("general", "perishable", "reefer", "dg")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAILY = "daily"
