"""The geography of the demo world: countries, cities, time zones and distances.

Coordinates are those of real cities (rounded), so that distances and the speed rule
behave as they would on real feeds; every company placed in them is fictional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(frozen=True, slots=True)
class City:
    """A city where sites are placed, with its IANA time zone and a postcode."""

    name: str
    lat: float
    lon: float
    tz: str
    postcode: str


@dataclass(frozen=True, slots=True)
class Country:
    """What the generator needs to invent plausible parties in one country."""

    code: str
    dial: str
    """International calling code, without the plus."""
    area: str
    """An area code for generated phone numbers."""
    suffixes: tuple[str, ...]
    """Legal forms of companies, appended to their names."""
    streets: tuple[str, ...]
    cities: tuple[City, ...]


def _country(
    code: str,
    dial: str,
    area: str,
    suffixes: tuple[str, ...],
    streets: tuple[str, ...],
    *cities: tuple[str, float, float, str, str],
) -> Country:
    return Country(code, dial, area, suffixes, streets, tuple(City(*c) for c in cities))


COUNTRIES: Final[tuple[Country, ...]] = (
    _country(
        "FR",
        "33",
        "1",
        ("SAS", "SARL"),
        ("rue des Tanneurs", "avenue de la Gare", "quai du Port"),
        ("Paris", 48.857, 2.352, "Europe/Paris", "75011"),
        ("Lyon", 45.764, 4.836, "Europe/Paris", "69007"),
        ("Grasse", 43.658, 6.923, "Europe/Paris", "06130"),
        ("Chartres", 48.444, 1.489, "Europe/Paris", "28000"),
        ("Marseille", 43.297, 5.370, "Europe/Paris", "13002"),
    ),
    _country(
        "DE",
        "49",
        "40",
        ("GmbH", "KG"),
        ("Hafenstrasse", "Lindenallee", "Am Speicher"),
        ("Hamburg", 53.551, 9.994, "Europe/Berlin", "20457"),
        ("Frankfurt am Main", 50.111, 8.682, "Europe/Berlin", "60314"),
        ("Munich", 48.135, 11.582, "Europe/Berlin", "80339"),
        ("Duesseldorf", 51.228, 6.774, "Europe/Berlin", "40221"),
    ),
    _country(
        "IT",
        "39",
        "02",
        ("S.r.l.", "S.p.A."),
        ("via dei Mercanti", "viale Lombardia", "via del Porto"),
        ("Milan", 45.464, 9.190, "Europe/Rome", "20121"),
        ("Como", 45.808, 9.085, "Europe/Rome", "22100"),
        ("Florence", 43.770, 11.256, "Europe/Rome", "50123"),
        ("Naples", 40.852, 14.268, "Europe/Rome", "80133"),
    ),
    _country(
        "ES",
        "34",
        "91",
        ("S.L.", "S.A."),
        ("calle del Comercio", "avenida del Puerto"),
        ("Madrid", 40.417, -3.704, "Europe/Madrid", "28045"),
        ("Barcelona", 41.387, 2.169, "Europe/Madrid", "08039"),
        ("Valencia", 39.470, -0.376, "Europe/Madrid", "46024"),
    ),
    _country(
        "NL",
        "31",
        "10",
        ("B.V.",),
        ("Havenweg", "Industrieweg", "Kade"),
        ("Rotterdam", 51.924, 4.478, "Europe/Amsterdam", "3011"),
        ("Amsterdam", 52.368, 4.904, "Europe/Amsterdam", "1013"),
        ("Venlo", 51.370, 6.172, "Europe/Amsterdam", "5928"),
        ("Leeuwarden", 53.201, 5.800, "Europe/Amsterdam", "8911"),
    ),
    _country(
        "BE",
        "32",
        "3",
        ("BV", "SRL"),
        ("Noorderlaan", "rue du Canal"),
        ("Antwerp", 51.219, 4.403, "Europe/Brussels", "2030"),
        ("Brussels", 50.850, 4.352, "Europe/Brussels", "1000"),
    ),
    _country(
        "AT",
        "43",
        "1",
        ("GmbH",),
        ("Handelskai", "Lagerstrasse"),
        ("Vienna", 48.208, 16.374, "Europe/Vienna", "1020"),
        ("Graz", 47.071, 15.440, "Europe/Vienna", "8020"),
    ),
    _country(
        "CH",
        "41",
        "91",
        ("AG", "SA"),
        ("via Cantonale", "Hafenstrasse"),
        ("Lugano", 46.004, 8.951, "Europe/Zurich", "6900"),
        ("Zurich", 47.377, 8.542, "Europe/Zurich", "8005"),
        ("Geneva", 46.204, 6.143, "Europe/Zurich", "1201"),
    ),
    _country(
        "PL",
        "48",
        "22",
        ("sp. z o.o.",),
        ("ul. Portowa", "ul. Magazynowa"),
        ("Warsaw", 52.230, 21.012, "Europe/Warsaw", "00-844"),
        ("Poznan", 52.406, 16.925, "Europe/Warsaw", "61-001"),
        ("Gdansk", 54.352, 18.647, "Europe/Warsaw", "80-001"),
    ),
    _country(
        "GB",
        "44",
        "20",
        ("Ltd",),
        ("Dock Road", "Mill Lane", "Station Approach"),
        ("London", 51.507, -0.128, "Europe/London", "E14 5AB"),
        ("Manchester", 53.481, -2.243, "Europe/London", "M3 4LZ"),
        ("Felixstowe", 51.962, 1.351, "Europe/London", "IP11 3SY"),
    ),
    _country(
        "IE",
        "353",
        "21",
        ("Ltd", "DAC"),
        ("Harbour Road", "Mill Street"),
        ("Cork", 51.899, -8.476, "Europe/Dublin", "T12 X7F4"),
        ("Dublin", 53.350, -6.260, "Europe/Dublin", "D01 K0Y2"),
    ),
    _country(
        "SE",
        "46",
        "8",
        ("AB",),
        ("Hamngatan", "Lagervagen"),
        ("Stockholm", 59.329, 18.069, "Europe/Stockholm", "111 47"),
        ("Gothenburg", 57.709, 11.975, "Europe/Stockholm", "411 04"),
    ),
    _country(
        "DK",
        "45",
        "33",
        ("ApS", "A/S"),
        ("Havnegade", "Lagervej"),
        ("Copenhagen", 55.676, 12.568, "Europe/Copenhagen", "1058"),
        ("Aarhus", 56.163, 10.204, "Europe/Copenhagen", "8000"),
    ),
    _country(
        "PT",
        "351",
        "22",
        ("Lda", "S.A."),
        ("rua do Porto", "avenida da Boavista"),
        ("Porto", 41.158, -8.629, "Europe/Lisbon", "4050-001"),
        ("Lisbon", 38.722, -9.139, "Europe/Lisbon", "1100-001"),
    ),
    _country(
        "US",
        "1",
        "212",
        ("LLC", "Inc."),
        ("Harbor Boulevard", "Commerce Drive", "Industrial Parkway"),
        ("Newark", 40.736, -74.172, "America/New_York", "07105"),
        ("Miami", 25.762, -80.192, "America/New_York", "33132"),
        ("Los Angeles", 34.052, -118.244, "America/Los_Angeles", "90021"),
        ("Chicago", 41.878, -87.630, "America/Chicago", "60607"),
        ("Salt Lake City", 40.761, -111.891, "America/Denver", "84101"),
        ("Ogden", 41.223, -111.974, "America/Denver", "84401"),
    ),
    _country(
        "CA",
        "1",
        "416",
        ("Inc.", "Ltd"),
        ("Lakeshore Road", "Dock Street"),
        ("Toronto", 43.653, -79.383, "America/Toronto", "M5V 2T6"),
        ("Vancouver", 49.283, -123.121, "America/Vancouver", "V6B 1A1"),
    ),
    _country(
        "MX",
        "52",
        "55",
        ("S.A. de C.V.",),
        ("Avenida Industria", "Calle Comercio"),
        ("Mexico City", 19.433, -99.133, "America/Mexico_City", "06000"),
        ("Guadalajara", 20.660, -103.350, "America/Mexico_City", "44100"),
    ),
    _country(
        "BR",
        "55",
        "11",
        ("Ltda.",),
        ("Rua do Comercio", "Avenida Portuaria"),
        ("Sao Paulo", -23.551, -46.633, "America/Sao_Paulo", "01001-000"),
        ("Rio de Janeiro", -22.907, -43.173, "America/Sao_Paulo", "20010-000"),
    ),
    _country(
        "AE",
        "971",
        "4",
        ("FZE", "LLC"),
        ("Al Khor Street", "Jebel Ali Road", "Warehouse Lane"),
        ("Dubai", 25.205, 55.271, "Asia/Dubai", "00000"),
        ("Jebel Ali", 25.011, 55.062, "Asia/Dubai", "00000"),
        ("Sharjah", 25.346, 55.421, "Asia/Dubai", "00000"),
    ),
    _country(
        "SA",
        "966",
        "11",
        ("Co. Ltd",),
        ("King Fahd Road", "Industrial Street"),
        ("Riyadh", 24.714, 46.675, "Asia/Riyadh", "11564"),
        ("Jeddah", 21.486, 39.193, "Asia/Riyadh", "21442"),
    ),
    _country(
        "TR",
        "90",
        "212",
        ("Ltd. Sti.", "A.S."),
        ("Liman Caddesi", "Depo Sokak"),
        ("Istanbul", 41.008, 28.978, "Europe/Istanbul", "34000"),
        ("Izmir", 38.424, 27.143, "Europe/Istanbul", "35000"),
    ),
    _country(
        "IN",
        "91",
        "22",
        ("Pvt Ltd",),
        ("Dock Road", "MIDC Road"),
        ("Mumbai", 19.076, 72.878, "Asia/Kolkata", "400001"),
        ("Delhi", 28.704, 77.103, "Asia/Kolkata", "110001"),
    ),
    _country(
        "CN",
        "86",
        "21",
        ("Co., Ltd.",),
        ("Gangcheng Road", "Xinhua Road"),
        ("Shanghai", 31.230, 121.474, "Asia/Shanghai", "200000"),
        ("Guangzhou", 23.129, 113.264, "Asia/Shanghai", "510000"),
        ("Shenzhen", 22.543, 114.058, "Asia/Shanghai", "518000"),
    ),
    _country(
        "HK",
        "852",
        "2",
        ("Limited",),
        ("Container Port Road", "Castle Peak Road"),
        ("Kwai Chung", 22.357, 114.128, "Asia/Hong_Kong", "000000"),
        ("Kowloon", 22.319, 114.169, "Asia/Hong_Kong", "000000"),
    ),
    _country(
        "SG",
        "65",
        "6",
        ("Pte Ltd",),
        ("Pioneer Road", "Tanjong Pagar Road"),
        ("Singapore", 1.352, 103.820, "Asia/Singapore", "018956"),
    ),
    _country(
        "JP",
        "81",
        "3",
        ("K.K.", "Co., Ltd."),
        ("Kaigan-dori", "Minato-cho"),
        ("Tokyo", 35.676, 139.650, "Asia/Tokyo", "135-0064"),
        ("Osaka", 34.694, 135.502, "Asia/Tokyo", "552-0021"),
    ),
    _country(
        "KR",
        "82",
        "2",
        ("Co., Ltd.",),
        ("Haean-ro", "Sandan-ro"),
        ("Seoul", 37.567, 126.978, "Asia/Seoul", "04524"),
        ("Osan", 37.150, 127.077, "Asia/Seoul", "18103"),
        ("Cheongju", 36.642, 127.489, "Asia/Seoul", "28116"),
        ("Busan", 35.180, 129.076, "Asia/Seoul", "48939"),
    ),
    _country(
        "AU",
        "61",
        "2",
        ("Pty Ltd",),
        ("Wharf Road", "Botany Road"),
        ("Sydney", -33.869, 151.209, "Australia/Sydney", "2000"),
        ("Melbourne", -37.814, 144.963, "Australia/Melbourne", "3000"),
    ),
    _country(
        "NZ",
        "64",
        "9",
        ("Limited",),
        ("Quay Street", "Fanshawe Street"),
        ("Auckland", -36.848, 174.763, "Pacific/Auckland", "1010"),
    ),
    _country(
        "ZA",
        "27",
        "11",
        ("(Pty) Ltd",),
        ("Main Reef Road", "Harbour Drive"),
        ("Johannesburg", -26.204, 28.047, "Africa/Johannesburg", "2001"),
        ("Durban", -29.859, 31.022, "Africa/Johannesburg", "4001"),
    ),
    _country(
        "TH",
        "66",
        "2",
        ("Co., Ltd.",),
        ("Rama IV Road", "Sukhumvit Road"),
        ("Bangkok", 13.756, 100.502, "Asia/Bangkok", "10110"),
    ),
    _country(
        "MY",
        "60",
        "3",
        ("Sdn Bhd",),
        ("Jalan Pelabuhan", "Jalan Industri"),
        ("Kuala Lumpur", 3.139, 101.687, "Asia/Kuala_Lumpur", "50000"),
        ("Port Klang", 3.000, 101.393, "Asia/Kuala_Lumpur", "42000"),
    ),
    _country(
        "VN",
        "84",
        "28",
        ("Co., Ltd.",),
        ("Nguyen Tat Thanh Street", "Khanh Hoi Street"),
        ("Ho Chi Minh City", 10.823, 106.630, "Asia/Ho_Chi_Minh", "700000"),
    ),
)

BY_CODE: Final = {country.code: country for country in COUNTRIES}

NEIGHBOURS: Final[dict[str, str]] = {
    "DE": "AT",
    "AT": "DE",
    "NL": "BE",
    "BE": "NL",
    "FR": "BE",
    "ES": "PT",
    "PT": "ES",
    "SE": "DK",
    "DK": "SE",
    "GB": "IE",
    "IE": "GB",
    "US": "CA",
    "CA": "US",
    "AU": "NZ",
    "NZ": "AU",
    "MY": "SG",
    "SG": "MY",
    "SA": "AE",
    "CH": "AT",
    "IT": "CH",
}
"""A country often licensed together with the key one (DE with AT)."""


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    half_dlat = math.sin((lat2 - lat1) / 2)
    half_dlon = math.sin((lon2 - lon1) / 2)
    h = half_dlat * half_dlat + math.cos(lat1) * math.cos(lat2) * half_dlon * half_dlon
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
