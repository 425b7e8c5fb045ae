"""Agreed names: CSV columns, location kinds, modes and goods classes.

Every module refers to these constants instead of repeating string literals, so a
column rename is one edit here (the OSMnx way).
"""

from __future__ import annotations

LOCATIONS_FILE = "locations.csv"
SERVICES_FILE = "services.csv"
SHAPES_FILE = "shapes.csv"
ACCESS_FILE = "access.csv"
CALENDAR_DATES_FILE = "calendar_dates.csv"
FX_FILE = "fx.csv"
SURCHARGES_FILE = "surcharges.csv"
CORRIDORS_FILE = "corridors.csv"
RELIABILITY_FILE = "reliability.csv"

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
# Optional locations.csv columns (issue 15): emissions of handling a tonne at the location when
# cargo changes service there (a hub), well-to-wheel, and optionally its split into tank-to-wheel
# (fuel burnt on site) and well-to-tank (energy supply); the split, when given, sums to the total.
HUB_CO2E_KG_PER_T = "hub_co2e_kg_per_t"
HUB_CO2E_TTW_KG_PER_T = "hub_co2e_ttw_kg_per_t"
HUB_CO2E_WTT_KG_PER_T = "hub_co2e_wtt_kg_per_t"
LOCATION_OPTIONAL_COLUMNS = (HUB_CO2E_KG_PER_T, HUB_CO2E_TTW_KG_PER_T, HUB_CO2E_WTT_KG_PER_T)

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
# Optional services.csv columns (issue 14): prices' currency (default EUR: the eur_* and
# container_eur columns hold amounts in it), the row's validity (inclusive local dates at the
# origin; several rows of one id with disjoint validity are a dated rate card), corridor tags.
CURRENCY = "currency"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
CORRIDORS = "corridors"
# Optional services.csv columns (issue 15): the split of co2e_g_per_tkm (well-to-wheel) into
# tank-to-wheel and well-to-tank (both or neither, summing to it), and the distance GLEC adds for
# emissions to a flight measured great circle (95 km per flight leg), mode air only.
CO2E_TTW_G_PER_TKM = "co2e_ttw_g_per_tkm"
CO2E_WTT_G_PER_TKM = "co2e_wtt_g_per_tkm"
CO2E_DISTANCE_ADD_KM = "co2e_distance_add_km"
SERVICE_OPTIONAL_COLUMNS = (CURRENCY, VALID_FROM, VALID_TO, CORRIDORS, CO2E_TTW_G_PER_TKM,
                            CO2E_WTT_G_PER_TKM, CO2E_DISTANCE_ADD_KM)

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
# Optional access.csv columns: the currency of its amounts (issue 14); a per-kg part of the loose
# tariff (as services.csv's), the least a full truck costs, whatever the distance (issue 15: a
# truck hired for 15 km still costs a job), and the split of co2e_g_per_tkm as in services.csv.
CONTAINER_EUR_MIN = "container_eur_min"
ACCESS_OPTIONAL_COLUMNS = (CURRENCY, EUR_PER_KG, CONTAINER_EUR_MIN, CO2E_TTW_G_PER_TKM, CO2E_WTT_G_PER_TKM)

# calendar_dates.csv: single-day exceptions (GTFS calendar_dates.txt).
DATE = "date"
EXCEPTION = "exception"
ADDED = "added"
REMOVED = "removed"
CALENDAR_DATES_COLUMNS = (SERVICE, DATE, EXCEPTION, SOURCE, AS_OF)

# fx.csv: units of `currency` per euro, in force from `date` until the currency's next row.
PER_EUR = "per_eur"
FX_COLUMNS = (DATE, CURRENCY, PER_EUR, SOURCE, AS_OF)

# surcharges.csv (see network/surcharges.py for the rules).
AMOUNT = "amount"
CORRIDOR = "corridor"
SURCHARGE_COLUMNS = (ID, SERVICE, OPERATOR, MODE, CORRIDOR, VALID_FROM, VALID_TO, KIND, AMOUNT,
                     CURRENCY, SOURCE, AS_OF)

# corridors.csv: the tags services may carry.
TAG = "tag"
CORRIDOR_COLUMNS = (TAG, NAME, KIND, SOURCE, AS_OF)

# reliability.csv: delay distributions of services and handling-time spreads of locations (see
# network/reliability.py for the forms and the rules).
LOCATION = "location"
LOCATION_KIND = "location_kind"
FORM = "form"
ON_TIME_SHARE = "on_time_share"
WINDOW_H = "window_h"
LATE_MEAN_H = "late_mean_h"
P50_H = "p50_h"
P90_H = "p90_h"
ROLLOVER_SHARE = "rollover_share"
RELIABILITY_COLUMNS = (ID, SERVICE, OPERATOR, MODE, LOCATION, LOCATION_KIND, FORM, ON_TIME_SHARE,
                       WINDOW_H, LATE_MEAN_H, P50_H, P90_H, ROLLOVER_SHARE, SOURCE, AS_OF)

# Physical range of every numeric column, inclusive: column -> (low, high, unit). The loader and
# the model objects refuse values outside, naming the range; the README's network-file section
# lists the same table. Access-rule ranges are chosen so that every road leg synthesized from
# them stays inside the service ranges: at most 20,004 km great-circle × 2.0 = 40,008 km, which
# takes 720 h + 40,008 km / 5 km/h = 8,722 h and costs 100 EUR/km × 40,008 km = EUR 4.0 M.
RANGES: dict[str, tuple[float, float, str]] = {
    LAT: (-90.0, 90.0, "degrees"),
    LON: (-180.0, 180.0, "degrees"),
    HANDLING_H: (0.0, 720.0, "h"),
    HANDLING_EUR: (0.0, 10_000_000.0, "EUR"),
    HANDLING_EUR_PER_KG: (0.0, 10_000.0, "EUR/kg"),
    DISTANCE_KM: (0.0, 50_000.0, "km"),
    DURATION_H: (0.0, 8_760.0, "h"),
    CUTOFF_H: (0.0, 720.0, "h"),
    CAPACITY_KG: (0.0, 1_000_000_000.0, "kg"),
    CAPACITY_M3: (0.0, 1_000_000_000.0, "m³"),
    KG_PER_M3: (0.0, 10_000.0, "kg/m³"),
    EUR_FIXED: (0.0, 10_000_000.0, "EUR"),
    EUR_PER_KG: (0.0, 10_000.0, "EUR/kg"),
    EUR_PER_TKM: (0.0, 10_000.0, "EUR/tkm"),
    EUR_MIN: (0.0, 10_000_000.0, "EUR"),
    CONTAINER_EUR: (0.0, 10_000_000.0, "EUR"),
    CONTAINER_M3: (1.0, 1_000.0, "m³"),
    CONTAINER_KG: (1.0, 1_000_000.0, "kg"),
    CO2E_G_PER_TKM: (0.0, 10_000.0, "g/tkm"),
    CO2E_TTW_G_PER_TKM: (0.0, 10_000.0, "g/tkm"),
    CO2E_WTT_G_PER_TKM: (0.0, 10_000.0, "g/tkm"),
    CO2E_DISTANCE_ADD_KM: (0.0, 1_000.0, "km"),
    HUB_CO2E_KG_PER_T: (0.0, 10_000.0, "kg/t"),
    HUB_CO2E_TTW_KG_PER_T: (0.0, 10_000.0, "kg/t"),
    HUB_CO2E_WTT_KG_PER_T: (0.0, 10_000.0, "kg/t"),
    CONTAINER_EUR_MIN: (0.0, 10_000_000.0, "EUR"),
    NEAREST_K: (1.0, 100.0, ""),
    DETOUR_FACTOR: (1.0, 2.0, ""),
    SPEED_KMH: (5.0, 200.0, "km/h"),
    LEAD_TIME_H: (0.0, 720.0, "h"),
    CONTAINER_EUR_PER_KM: (0.0, 100.0, "EUR/km"),
    SEQ: (0.0, 1_000_000.0, ""),
    ON_TIME_SHARE: (0.0, 1.0, ""),
    WINDOW_H: (0.0, 720.0, "h"),
    LATE_MEAN_H: (0.0, 8_760.0, "h"),
    P50_H: (0.0, 8_760.0, "h"),
    P90_H: (0.0, 8_760.0, "h"),
    ROLLOVER_SHARE: (0.0, 0.99, ""),
}

# Vocabularies.
KINDS = ("city", "rail_terminal", "airport", "seaport")
MODES = ("road", "rail", "air", "sea")
GOODS_CLASSES = ("general", "perishable", "reefer", "dg")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAILY = "daily"
CORRIDOR_KINDS = ("border", "passage", "route")


# Every column each network file may have: a column not listed (a misspelt `goodz`, which would
# otherwise leave every service accepting every goods class) is refused where it stands.
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    LOCATIONS_FILE: (*LOCATION_COLUMNS, *LOCATION_OPTIONAL_COLUMNS),
    SERVICES_FILE: (*SERVICE_COLUMNS, *SERVICE_OPTIONAL_COLUMNS),
    SHAPES_FILE: (*SHAPE_COLUMNS, SOURCE, AS_OF),
    ACCESS_FILE: (*ACCESS_COLUMNS, *ACCESS_OPTIONAL_COLUMNS),
    CALENDAR_DATES_FILE: CALENDAR_DATES_COLUMNS,
    FX_FILE: FX_COLUMNS,
    SURCHARGES_FILE: SURCHARGE_COLUMNS,
    CORRIDORS_FILE: CORRIDOR_COLUMNS,
    RELIABILITY_FILE: RELIABILITY_COLUMNS,
}
