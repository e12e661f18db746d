"""The master data of the demo world: brands, products, parties, sites, authorizations.

Everything here is invented: brand and company names are made of syllables, e-mail
domains end in the reserved `.example` top-level domain, phone numbers use the 555
block and GS1 company prefixes start with 952, the prefix GS1 keeps for examples.
Every party gets identifiers (phone, e-mail, tax id, address) that no other party
shares once normalised; only the planted rings share them on purpose.

Days are proleptic ordinals (`date.toordinal`) and instants are Unix seconds, so
validity checks are integer comparisons.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final
from zoneinfo import ZoneInfo

from graphsvc.demodata.places import BY_CODE, COUNTRIES, NEIGHBOURS, City, Country
from graphsvc.ids import check_digit
from graphsvc.model import NEUTRAL_ROLES

UNIX_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
DAY: Final = 86_400
TIMELINE_START: Final = date(2024, 1, 8).toordinal()
"""First production day of the baseline traffic."""
TIMELINE_END: Final = date(2025, 12, 15).toordinal()
"""Last production day; deliveries and sales run on into 2026."""

UNAUTHORIZED_HOLDER: Final = "UNAUTHORIZED_HOLDER"
AUTHORIZATION_NOT_IN_FORCE: Final = "AUTHORIZATION_NOT_IN_FORCE"
OUT_OF_TERRITORY: Final = "OUT_OF_TERRITORY"
HUBS: Final = ("NL", "AE", "SG", "HK", "US", "BE", "CH")
"""Countries where the brands' master distributors (exporters) sit."""


def day_of(ts: int) -> int:
    """The UTC day (ordinal) of a Unix instant."""
    return ts // DAY + UNIX_EPOCH_ORDINAL


def ts_of(day: int) -> int:
    """The Unix instant at which the UTC day `day` begins."""
    return (day - UNIX_EPOCH_ORDINAL) * DAY


@dataclass(frozen=True, slots=True)
class Brand:
    id: str
    name: str
    country: str
    category: str
    prefix: str
    """GS1 company prefix (7 digits) of the brand's GTINs."""
    resolver: str
    """Host of the brand's own Digital Link resolver."""


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    brand: str
    name: str
    category: str
    item_ref: str
    """GS1 item reference (5 digits); indicator digit 0."""
    gtin: str


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    role: str
    country: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None
    website: str | None = None
    gln: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    operator: str
    country: str
    name: str
    type: str | None
    """None writes no type, which the feed reads as `warehouse`."""
    city: str
    lat: float | None
    lon: float | None
    tz: ZoneInfo
    gln: str | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon


@dataclass(frozen=True, slots=True)
class Authorization:
    brand: str
    party: str
    valid_from: int
    valid_until: int | None
    territories: tuple[str, ...]
    id: str | None = None

    def in_force(self, day: int) -> bool:
        return self.valid_from <= day and (
            self.valid_until is None or day <= self.valid_until
        )

    def covers(self, country: str) -> bool:
        return "*" in self.territories or country in self.territories


@dataclass(frozen=True, slots=True)
class Contact:
    address: str
    phone: str
    email: str
    tax_id: str
    website: str | None


_STEMS_A: Final = (
    "Vel", "Mar", "Cor", "Lun", "Ast", "Ber", "Dal", "Fen", "Gar", "Hol", "Isk",
    "Kal", "Lor", "Mir", "Nor", "Ori", "Pal", "Quen", "Ros", "Sal", "Tor", "Ulm",
    "Ver", "Wen", "Zar", "Tal", "Bren", "Cas", "Dorn", "Elv",
)  # fmt: skip
_STEMS_B: Final = (
    "ova", "ex", "ium", "ara", "ant", "ello", "ina", "oro", "une", "ista", "ella",
    "ano", "ix", "eda", "ion",
)  # fmt: skip
_TRADE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "distributor": ("Trading", "Distribution", "Import", "Brands", "Supply"),
    "wholesaler": ("Wholesale", "Trade House", "Merchants"),
    "retailer": ("Beauty", "Boutique", "Stores", "Pharmacy", "Concept Store"),
    "marketplace": ("Online", "Deals", "Shop", "Outlet Online"),
    "logistics": ("Logistics", "Freight", "Bonded Logistics", "Cargo"),
    "manufacturer": ("Manufacturing", "Production", "Labs"),
    "inspector": ("Inspection Services", "Product Testing"),
    "customs": ("Customs Office",),
}
_MAILBOXES: Final = ("info", "sales", "orders", "contact", "office")


class Identities:
    """Hands out company names and contact details no other party shares."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._serial = 0
        self._stems: set[tuple[str, str]] = set()
        self.party_ids: set[str] = set()

    def company(self, role: str, country: Country) -> tuple[str, str]:
        """A fresh (name, stem) pair for a company of `role` in `country`."""
        rng = self._rng
        while True:
            stem = rng.choice(_STEMS_A) + rng.choice(_STEMS_B)
            word = rng.choice(_TRADE_WORDS[role])
            if (stem, word) not in self._stems:
                self._stems.add((stem, word))
                break
        return f"{stem} {word} {rng.choice(country.suffixes)}", stem

    def party_id(self, country: str, stem: str) -> str:
        base = f"PA-{country}-{stem.upper()}"
        candidate, n = base, 1
        while candidate in self.party_ids:
            n += 1
            candidate = f"{base}{n}"
        self.party_ids.add(candidate)
        return candidate

    def contact(self, country: Country, name: str, city: City) -> Contact:
        """Contact details built around a serial number, hence unique."""
        rng = self._rng
        self._serial += 1
        serial = self._serial
        slug = "".join(c for c in name.lower().rsplit(" ", 1)[0] if c.isalnum())
        domain = f"{slug}-{country.code.lower()}.example"
        street = rng.choice(country.streets)
        digits = f"{serial:04d}{rng.randrange(10**5):05d}"
        return Contact(
            address=f"{serial + 10} {street}, {city.postcode} {city.name}",
            phone=f"+{country.dial} {country.area} 555 {serial:04d}",
            email=f"{rng.choice(_MAILBOXES)}@{domain}",
            tax_id=f"{country.code} {digits[:4]} {digits[4:]}",
            website=f"https://www.{domain}" if rng.random() < 0.5 else None,
        )


@dataclass
class World:
    """All master data, with the lookups the traffic generators need."""

    rng: random.Random
    identities: Identities
    brands: list[Brand] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    authorizations: list[Authorization] = field(default_factory=list)
    party: dict[str, Party] = field(default_factory=dict)
    site: dict[str, Site] = field(default_factory=dict)
    sites_of: dict[str, list[Site]] = field(default_factory=lambda: defaultdict(list))
    auths: dict[tuple[str, str], list[Authorization]] = field(
        default_factory=lambda: defaultdict(list)
    )
    products_of: dict[str, list[Product]] = field(
        default_factory=lambda: defaultdict(list)
    )
    factories: dict[str, list[Site]] = field(default_factory=lambda: defaultdict(list))
    markets: dict[str, list[str]] = field(default_factory=dict)
    exporters: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    importers: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    retailers: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    distributors_in: dict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    retailers_in: dict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    marketplaces_in: dict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    bonded_in: dict[str, Site] = field(default_factory=dict)
    customs_in: dict[str, str] = field(default_factory=dict)
    ports_in: dict[str, Site] = field(default_factory=dict)
    carriers: list[str] = field(default_factory=list)
    inspectors: list[str] = field(default_factory=list)
    reserved: set[str] = field(default_factory=set)
    """Parties that the baseline traffic must leave alone (planted roles)."""
    _gln_serial: int = 0

    # -- building ---------------------------------------------------------------

    def add_party(
        self,
        role: str,
        country: str,
        *,
        name: str | None = None,
        shared: Mapping[str, str] | None = None,
        gln: bool = False,
    ) -> Party:
        """A new party with fresh identifiers, except those `shared` with another."""
        place = BY_CODE[country]
        generated, stem = self.identities.company(role, place)
        name = name or generated
        city = self.rng.choice(place.cities)
        contact = self.identities.contact(place, name, city)
        if shared:
            contact = replace(contact, **shared)
        party = Party(
            id=self.identities.party_id(country, stem),
            name=name,
            role=role,
            country=country,
            address=contact.address,
            phone=contact.phone,
            email=contact.email,
            tax_id=contact.tax_id,
            website=contact.website,
            gln=self.new_gln() if gln else None,
        )
        self.parties.append(party)
        self.party[party.id] = party
        return party

    def add_site(
        self,
        operator: str,
        country: str,
        site_type: str | None,
        *,
        city: City | None = None,
        located: bool = True,
        gln: bool = False,
    ) -> Site:
        place = BY_CODE[country]
        city = city or self.rng.choice(place.cities)
        number = len(self.sites_of[operator]) + 1
        kind = site_type or "warehouse"
        lat = lon = None
        if located:
            lat = round(city.lat + self.rng.uniform(-0.03, 0.03), 4)
            lon = round(city.lon + self.rng.uniform(-0.03, 0.03), 4)
        site = Site(
            id=f"SI-{operator.removeprefix('PA-')}-{number}",
            operator=operator,
            country=country,
            name=f"{city.name} {kind.replace('_', ' ')}",
            type=site_type,
            city=city.name,
            lat=lat,
            lon=lon,
            tz=ZoneInfo(city.tz),
            gln=self.new_gln() if gln else None,
        )
        self.sites.append(site)
        self.site[site.id] = site
        self.sites_of[operator].append(site)
        return site

    def add_auth(
        self,
        brand: str,
        party: str,
        valid_from: int,
        valid_until: int | None,
        territories: tuple[str, ...],
        *,
        named: bool | None = None,
    ) -> Authorization:
        if named is None:
            named = self.rng.random() < 0.5
        auth_id = f"AU-{len(self.authorizations) + 1:05d}" if named else None
        auth = Authorization(
            brand, party, valid_from, valid_until, territories, auth_id
        )
        self.authorizations.append(auth)
        self.auths[brand, party].append(auth)
        return auth

    def new_gln(self) -> str:
        self._gln_serial += 1
        body = f"9520900{self._gln_serial:05d}"
        return body + check_digit(body)

    # -- questions the traffic asks ---------------------------------------------

    def judged(self, party: str, producer: str | None) -> bool:
        """Whether a receipt by `party` is judged (docs/investigation.md)."""
        if party == producer:
            return False
        described = self.party.get(party)
        return described is None or described.role not in NEUTRAL_ROLES

    def verdict(self, brand: str, party: str, at: int, country: str) -> str | None:
        """The finding kind a receipt at instant `at` raises; None if authorized."""
        auths = self.auths.get((brand, party))
        if not auths:
            return UNAUTHORIZED_HOLDER
        day = day_of(at)
        current = [a for a in auths if a.in_force(day)]
        if not current:
            return AUTHORIZATION_NOT_IN_FORCE
        if any(a.covers(country) for a in current):
            return None
        return OUT_OF_TERRITORY

    def site_in(self, party: str, country: str) -> Site:
        """The first site `party` operates in `country`."""
        return next(s for s in self.sites_of[party] if s.country == country)


# -- the baseline world -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BrandSpec:
    key: str
    name: str
    country: str
    category: str
    factories: tuple[tuple[str, str], ...]
    """(country, city) of each factory."""
    products: tuple[tuple[str, str], ...]
    """(name, category) of each product."""


_BRANDS: Final = (
    _BrandSpec(
        "AUREVANNE",
        "Aurevanne Parfums",
        "FR",
        "fragrance",
        (("FR", "Grasse"), ("FR", "Chartres")),
        (
            ("Eau de Parfum Ambre Sel 50 ml", "fragrance"),
            ("Eau de Parfum Ambre Sel 100 ml", "fragrance"),
            ("Eau de Toilette Figue Blanche 75 ml", "fragrance"),
            ("Extrait Nuit d'Iris 30 ml", "fragrance"),
        ),
    ),
    _BrandSpec(
        "KIMORI",
        "Kimori Dew",
        "KR",
        "cosmetics",
        (("KR", "Osan"), ("KR", "Cheongju")),
        (
            ("Rice Water Essence 150 ml", "skin care"),
            ("Snow Lotus Cushion SPF50 15 g", "make-up"),
            ("Green Tea Cleansing Balm 100 ml", "skin care"),
        ),
    ),
    _BrandSpec(
        "VALTERRA",
        "Valterra Milano",
        "IT",
        "fashion",
        (("IT", "Florence"), ("IT", "Como")),
        (
            ("Leather tote Serena", "leather goods"),
            ("Silk scarf Lago 90x90", "accessories"),
            ("Wallet Rombo", "leather goods"),
            ("Belt Cintura 35 mm", "accessories"),
        ),
    ),
    _BrandSpec(
        "LAITELLE",
        "Laitelle Nutrition",
        "IE",
        "infant formula",
        (("IE", "Cork"), ("NL", "Leeuwarden")),
        (
            ("Infant formula stage 1 800 g", "infant formula"),
            ("Follow-on formula stage 2 800 g", "infant formula"),
            ("Growing-up milk stage 3 800 g", "infant formula"),
        ),
    ),
    _BrandSpec(
        "SOLVANE",
        "Solvane Vitals",
        "US",
        "supplements",
        (("US", "Salt Lake City"), ("US", "Ogden")),
        (
            ("Omega-3 softgels 120 ct", "supplements"),
            ("Vitamin D3 2000 IU 90 ct", "supplements"),
            ("Collagen peptides 300 g", "supplements"),
        ),
    ),
    _BrandSpec(
        "OMBRELIS",
        "Ombrelis Skin Science",
        "CH",
        "cosmetics",
        (("CH", "Lugano"),),
        (
            ("Cell renewal night cream 50 ml", "skin care"),
            ("Eye contour serum 15 ml", "skin care"),
        ),
    ),
    _BrandSpec(
        "BRISENORD",
        "Brisenord",
        "DK",
        "fashion",
        (("PT", "Porto"),),
        (
            ("Quilted parka Fjord", "outerwear"),
            ("Wool beanie Hav", "accessories"),
            ("Rain jacket Kyst", "outerwear"),
        ),
    ),
)


def build_world(rng: random.Random) -> World:
    """The lawful world: every brand's manufacturer, channel partners and neutrals."""
    world = World(rng, Identities(rng))
    _brands_and_factories(world)
    _neutrals(world)
    _channel(world)
    return world


def _city(country: str, name: str) -> City:
    return next(c for c in BY_CODE[country].cities if c.name == name)


def _brands_and_factories(world: World) -> None:
    for number, spec in enumerate(_BRANDS, start=1):
        prefix = f"952{1000 + number:04d}"
        brand = Brand(
            f"BR-{spec.key}",
            spec.name,
            spec.country,
            spec.category,
            prefix,
            f"id.{spec.key.lower()}.example",
        )
        world.brands.append(brand)
        for index, (name, category) in enumerate(spec.products, start=1):
            item_ref = f"{number:02d}{index:03d}"
            body = "0" + prefix + item_ref
            product = Product(
                f"PR-{spec.key}-{index:02d}",
                brand.id,
                name,
                category,
                item_ref,
                body + check_digit(body),
            )
            world.products.append(product)
            world.products_of[brand.id].append(product)

        home = spec.factories[0][0]
        maker = world.add_party(
            "manufacturer", home, name=f"{spec.name} Manufacturing", gln=True
        )
        for country, city in spec.factories:
            site = world.add_site(
                maker.id, country, "factory", city=_city(country, city), gln=True
            )
            world.factories[brand.id].append(site)


def _neutrals(world: World) -> None:
    """Customs, bonded warehouses, marketplaces, carriers and inspectors."""
    rng = world.rng
    for country in COUNTRIES:
        code = country.code
        customs = world.add_party(
            "customs", code, name=f"Customs post {country.cities[0].name} ({code})"
        )
        world.customs_in[code] = customs.id
        world.ports_in[code] = world.add_site(customs.id, code, "port")
        bonded = world.add_party("logistics", code, gln=True)
        world.bonded_in[code] = world.add_site(
            bonded.id, code, "bonded_warehouse", gln=True
        )
        for _ in range(2):
            seller = world.add_party("marketplace", code)
            located = rng.random() < 0.5
            world.add_site(
                seller.id, code, "warehouse" if located else "office", located=located
            )
            world.marketplaces_in[code].append(seller.id)
    for hub in ("NL", "SG", "AE", "US", "DE", "HK"):
        carrier = world.add_party("logistics", hub)
        world.add_site(carrier.id, hub, "hub")
        world.carriers.append(carrier.id)
    for home in ("CH", "GB"):
        inspector = world.add_party("inspector", home)
        world.add_site(inspector.id, home, "office")
        world.inspectors.append(inspector.id)


def _channel(world: World) -> None:
    """Distributors, exporters and retailers, and the brands' authorizations."""
    rng = world.rng
    for country in COUNTRIES:
        code = country.code
        for _ in range(3):
            role = "wholesaler" if rng.random() < 0.25 else "distributor"
            party = world.add_party(role, code)
            world.add_site(party.id, code, None if rng.random() < 0.5 else "warehouse")
            world.distributors_in[code].append(party.id)
        for _ in range(2):
            party = world.add_party("retailer", code)
            world.add_site(party.id, code, "store")
            world.retailers_in[code].append(party.id)
    hub_parties: dict[str, list[str]] = {}
    for hub in HUBS:
        hub_parties[hub] = []
        for _ in range(2):
            party = world.add_party("distributor", hub)
            world.add_site(party.id, hub, "warehouse")
            hub_parties[hub].append(party.id)

    codes = [c.code for c in COUNTRIES]
    for brand in world.brands:
        markets = sorted(rng.sample(codes, rng.randint(11, 16)))
        world.markets[brand.id] = markets
        hubs = rng.sample(HUBS, 3)
        exporters = [rng.choice(hub_parties[hub]) for hub in hubs]
        _grant(world, brand.id, exporters[0], ("*",), "open", primary=True)
        region = (hubs[1], *rng.sample([m for m in markets if m != hubs[1]], 4))
        _grant(world, brand.id, exporters[1], region, _kind(rng), primary=False)
        _grant(world, brand.id, exporters[2], ("*",), _kind(rng), primary=False)
        world.exporters[brand.id] = exporters

        for market in markets:
            first, second = rng.sample(world.distributors_in[market], 2)
            territory: tuple[str, ...] = (market,)
            if market in NEIGHBOURS and rng.random() < 0.5:
                territory = (market, NEIGHBOURS[market])
            _grant(world, brand.id, first, territory, "open", primary=True)
            importers = [first]
            if rng.random() < 0.6:
                _grant(world, brand.id, second, (market,), _kind(rng), primary=False)
                importers.append(second)
            world.importers[brand.id, market] = importers
            for retailer in world.retailers_in[market]:
                if rng.random() < 0.7:
                    _grant(world, brand.id, retailer, (market,), _kind(rng), False)
                    world.retailers[brand.id, market].append(retailer)


def _kind(rng: random.Random) -> str:
    return rng.choice(("open", "open", "expired", "gap", "late"))


def _grant(
    world: World,
    brand: str,
    party: str,
    territories: tuple[str, ...],
    kind: str,
    primary: bool,
) -> None:
    """Authorizations of one history kind: open, expired, renewed after a gap, late.

    A primary grant is open-ended and starts before the timeline, so every lot finds
    at least one authorized partner at every step.
    """
    rng = world.rng
    start = TIMELINE_START
    if kind == "open":
        valid_from = start - rng.randint(30, 700)
        until = None
        if not primary and rng.random() < 0.3:
            until = date(2027, 12, 31).toordinal()
        world.add_auth(brand, party, valid_from, until, territories)
    elif kind == "expired":
        until = start + rng.randint(60, 500)
        world.add_auth(brand, party, start - rng.randint(100, 500), until, territories)
    elif kind == "gap":
        until = start + rng.randint(60, 400)
        world.add_auth(brand, party, start - rng.randint(100, 400), until, territories)
        renewed = until + rng.randint(30, 120)
        world.add_auth(brand, party, renewed, None, territories)
    else:
        world.add_auth(brand, party, start + rng.randint(60, 500), None, territories)
