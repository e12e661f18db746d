"""The explorer in a real headless Chromium, against a real server on demo data.

Most tests use a server without keys; the last ones use a second server, on a copy
of the same data, that asks for API keys. Each view is saved as a screenshot under
tests/artifacts/explorer/, for a person to look at after the run.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from server import Server, serve

from graphsvc.explorer import STATIC_DIR
from graphsvc.service import prepare_demo

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "explorer"
WAIT_MS = 30_000
ITEM = "IT-00001171"
"""A planted re-entry: the README's example item."""

COLOURS = {
    "authorized": "rgb(46, 125, 50)",
    "unauthorized": "rgb(198, 40, 40)",
    "not judged": "rgb(117, 117, 117)",
}


KEYS = {
    "reader": "reader-one.r-secret",
    "loader": "loader-one.l-secret",
    "other_brand": "kimori-team.k-secret",
}
"""What each caller types into the key form."""

API_KEYS = (
    "reader-one:reader:r-secret;loader-one:loader:l-secret;"
    "kimori-team:reader:k-secret:BR-KIMORI"
)
"""The secured server's keys; the item of `ITEM` is a product of BR-OMBRELIS."""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    if not (STATIC_DIR / "index.html").is_file():
        pytest.fail("the explorer is not built: run `make explorer`", pytrace=False)
    root = tmp_path_factory.mktemp("explorer")
    store = prepare_demo(root, items=2_000, seed=7)
    truth = json.loads((root / "feed" / "truth.json").read_text())
    return store, truth


@pytest.fixture(scope="module")
def demo(demo_store: tuple[Path, Any]) -> Iterator[tuple[Server, Any]]:
    store, truth = demo_store
    with serve(store) as running:
        yield running, truth


@pytest.fixture(scope="module")
def secured(demo_store: tuple[Path, Any]) -> Iterator[Server]:
    # A copy, so that the two servers do not share an audit log.
    store = shutil.copytree(demo_store[0], demo_store[0].parent / "secured-store")
    keys = {"GRAPHSVC_API_KEYS": API_KEYS, "GRAPHSVC_KEYS_FILE": ""}
    with serve(store, env=keys) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium",
            pytrace=False,
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@contextmanager
def opened(browser: Browser, url: str) -> Iterator[Page]:
    """A page on the server at `url` that fails the test on any script error."""
    page = browser.new_page(viewport={"width": 1400, "height": 850}, base_url=url)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser, demo: tuple[Server, Any]) -> Iterator[Page]:
    with opened(browser, demo[0].url) as page:
        yield page


@pytest.fixture
def keyed_page(browser: Browser, secured: Server) -> Iterator[Page]:
    with opened(browser, secured.url) as page:
        yield page


def settled(page: Page, view: str) -> None:
    """Wait until `view` is on screen and no request is pending."""
    page.wait_for_selector(f"body[data-view={view}][data-busy=false]", timeout=WAIT_MS)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def click_node(page: Page, node_id: str) -> None:
    """Click a node of the drawing where it is on screen, as a person would."""
    x, y = page.evaluate(
        """(id) => {
          const cy = window.explorer.cy;
          const at = cy.getElementById(id).renderedPosition();
          const box = cy.container().getBoundingClientRect();
          return [box.left + at.x, box.top + at.y];
        }""",
        node_id,
    )
    page.mouse.click(x, y)


def node_count(page: Page) -> int:
    return int(page.get_attribute("#counts", "data-nodes") or "-1")


def test_a_searched_item_opens_its_custody_chain_coloured_by_judgement(
    page: Page, demo: tuple[Server, Any]
) -> None:
    planted = {(c["kind"], c["party"]) for c in demo[1]["cases"] if c["item"] == ITEM}
    assert ("REENTRY", "PA-TR-ELVION") in planted

    page.goto("/explore/")
    settled(page, "home")
    page.fill("#search", ITEM)
    page.click(f'#results li[data-id="Item:{ITEM}"]', timeout=WAIT_MS)
    settled(page, "node")
    shot(page, "1-searched-item")
    page.click("#open-provenance")
    settled(page, "provenance")
    shot(page, "2-provenance")

    hops = page.eval_on_selector_all(
        "#hops li.hop",
        """items => items.map(li => [li.dataset.party, li.dataset.judgement,
            getComputedStyle(li.querySelector('.swatch')).backgroundColor])""",
    )
    drawn = page.evaluate(
        "window.explorer.cy.nodes('.hop').map(n => "
        "[n.id(), n.data('judgement'), n.style('background-color')])"
    )
    findings = page.eval_on_selector_all(
        "#findings li.finding", "items => items.map(li => li.dataset.kind)"
    )
    judgements = [
        ("PA-CH-PALINA", "not judged"),
        ("PA-US-WENORO", "authorized"),
        ("PA-TR-WENUNE", "authorized"),
        ("PA-PL-FENINA", "unauthorized"),
        ("PA-PL-QUENIUM", "unauthorized"),
        ("PA-TR-ELVION", "authorized"),
    ]
    assert hops == [[party, j, COLOURS[j]] for party, j in judgements]
    # cytoscape writes colours without spaces: rgb(46,125,50).
    assert [[id_, j, colour.replace(",", ", ")] for id_, j, colour in drawn] == [
        [f"hop-{n}", j, COLOURS[j]] for n, (_, j) in enumerate(judgements, start=1)
    ]
    assert findings == ["UNAUTHORIZED_HOLDER", "UNAUTHORIZED_HOLDER", "REENTRY"]
    assert page.get_attribute("#permalink", "href") == (
        f"{demo[0].url}/explore/?view=provenance&id={ITEM}"
    )


def test_the_link_reopens_the_same_view(page: Page) -> None:
    page.goto(f"/explore/?view=provenance&id={ITEM}")
    settled(page, "provenance")

    assert page.locator("#hops li.hop").count() == 6
    assert page.text_content("#side h2") == f"Provenance of {ITEM}"


def test_clicking_a_node_expands_its_neighbours_and_keeps_it_in_the_link(
    page: Page,
) -> None:
    page.goto("/explore/?view=node&id=Party:PA-PL-FENINA")
    settled(page, "node")
    before = node_count(page)

    click_node(page, "Shipment:SH-00000145")
    page.wait_for_function(
        "window.explorer.cy.getElementById('Shipment:SH-00000145')"
        ".hasClass('expanded')",
        timeout=WAIT_MS,
    )
    settled(page, "node")
    shot(page, "3-expanded")

    # The shipment brings its three items, its carrier, its shipper and their site.
    assert before == 10
    assert node_count(page) == 16
    assert page.url.endswith("&expand=Shipment%3ASH-00000145")


def test_each_expanded_node_is_a_link_parameter_of_its_own(page: Page) -> None:
    page.goto(
        "/explore/?view=node&id=Party:PA-PL-FENINA"
        "&expand=Shipment:SH-00000145&expand=Item:IT-1%2C2"
    )
    settled(page, "node")

    expanded = page.evaluate("window.explorer.readState().expand")
    drawn = page.evaluate(
        "window.explorer.cy.getElementById('Shipment:SH-00000145').hasClass('expanded')"
    )
    site = "Site:SI-PL-FENINA-1"
    click_node(page, site)
    page.wait_for_function(
        f"window.explorer.cy.getElementById('{site}').hasClass('expanded')",
        timeout=WAIT_MS,
    )

    assert expanded == ["Shipment:SH-00000145", "Item:IT-1,2"]
    assert drawn is True
    assert page.url.endswith(
        "&expand=Shipment%3ASH-00000145&expand=Item%3AIT-1%2C2"
        "&expand=Site%3ASI-PL-FENINA-1"
    )


def test_a_capped_fan_out_shows_more_and_fetches_it_on_demand(page: Page) -> None:
    page.goto("/explore/?view=node&id=Site:SI-CH-PALINA-1")
    settled(page, "node")
    capped = node_count(page)
    shot(page, "4-capped")

    click_node(page, "more:Site:SI-CH-PALINA-1")
    page.wait_for_function(
        "document.getElementById('counts').dataset.nodes !== '26'", timeout=WAIT_MS
    )
    settled(page, "node")

    assert capped == 26
    assert node_count(page) == 104
    assert page.evaluate("window.explorer.cy.nodes('.more').length") == 1


def test_a_cluster_shows_members_links_entry_points_and_exits(
    page: Page, demo: tuple[Server, Any]
) -> None:
    page.goto("/explore/")
    settled(page, "home")
    page.click("#nav-clusters")
    settled(page, "clusters")
    shot(page, "5-clusters")
    page.click("#clusters tr.cluster a >> nth=0")
    settled(page, "cluster")
    shot(page, "6-cluster")

    roles = page.evaluate(
        "window.explorer.cy.nodes().map(n => [n.data('key'), n.data('role')])"
    )
    links = page.evaluate(
        "window.explorer.cy.edges().map(e => [e.data('kind'), "
        "e.hasClass('shipment') ? 'solid' : 'dashed'])"
    )
    ring = next(r for r in demo[1]["rings"] if "PA-PL-FENINA" in r["members"])
    by_role = {
        role: sorted(key for key, r in roles if r == role)
        for role in ("member", "entry point", "exit")
    }
    assert by_role == {
        "member": ring["members"],
        "entry point": ring["entry_points"],
        "exit": ring["exits"],
    }
    assert sorted(links) == [
        ["email", "dashed"],
        ["phone", "dashed"],
        ["shipment", "solid"],
        ["shipment", "solid"],
    ]


def test_a_brands_findings_are_filtered_by_kind(page: Page) -> None:
    page.goto("/explore/?view=findings&brand=BR-OMBRELIS")
    settled(page, "findings")
    every = page.text_content("#findings-count")

    page.uncheck('input[name="UNAUTHORIZED_HOLDER"]')
    page.uncheck('input[name="AUTHORIZATION_NOT_IN_FORCE"]')
    page.uncheck('input[name="OUT_OF_TERRITORY"]')
    page.uncheck('input[name="BROKEN_CUSTODY"]')
    page.uncheck('input[name="CLONED_SERIAL"]')
    page.uncheck('input[name="UNKNOWN_ITEM"]')
    page.click("#findings-filter button[type=submit]")
    settled(page, "findings")
    shot(page, "7-findings")

    kinds = page.eval_on_selector_all(
        "table.findings tr.finding", "rows => rows.map(r => r.dataset.kind)"
    )
    assert every == "20 findings"
    assert page.text_content("#findings-count") == "1 finding"
    assert kinds == ["REENTRY"]
    assert page.url.endswith("?view=findings&brand=BR-OMBRELIS&kinds=REENTRY")
    assert "unauthorized" in (page.text_content("#legend") or "")


def test_applying_no_kind_at_all_asks_for_one(page: Page) -> None:
    start = "/explore/?view=findings&brand=BR-OMBRELIS&kinds=REENTRY"
    page.goto(start)
    settled(page, "findings")

    page.uncheck('input[name="REENTRY"]')
    page.click("#findings-filter button[type=submit]")

    assert page.is_visible("#findings-notice")
    assert page.text_content("#findings-notice") == "Choose at least one kind."
    assert page.url.endswith(start)
    assert page.text_content("#findings-count") == "1 finding"


def key_form_shown(page: Page) -> str:
    """Wait for the key form; the refusal it shows."""
    page.wait_for_selector("#key-form", state="visible", timeout=WAIT_MS)
    settled(page, page.evaluate("document.body.dataset.view"))
    return page.text_content("#key-message") or ""


def enter_key(page: Page, key: str) -> None:
    page.fill("#key-input", key)
    page.click("#key-form button[type=submit]")


def storage(page: Page) -> dict[str, Any]:
    """What the page keeps in sessionStorage and in localStorage."""
    kept: dict[str, Any] = page.evaluate(
        "({session: {...sessionStorage}, local: {...localStorage}})"
    )
    return kept


def test_without_a_key_the_page_asks_for_one(keyed_page: Page) -> None:
    keyed_page.goto("/explore/")

    message = key_form_shown(keyed_page)
    shot(keyed_page, "8-key-form")

    assert message == "a valid API key is required"
    assert keyed_page.is_visible("#forget-key") is False
    assert keyed_page.text_content("#listing") == ""


def test_with_a_reader_key_the_planted_items_provenance_shows(
    keyed_page: Page, secured: Server
) -> None:
    keyed_page.goto(f"/explore/?view=provenance&id={ITEM}")
    key_form_shown(keyed_page)

    enter_key(keyed_page, KEYS["reader"])
    settled(keyed_page, "provenance")

    parties = keyed_page.eval_on_selector_all(
        "#hops li.hop", "items => items.map(li => li.dataset.party)"
    )
    assert parties == [
        "PA-CH-PALINA",
        "PA-US-WENORO",
        "PA-TR-WENUNE",
        "PA-PL-FENINA",
        "PA-PL-QUENIUM",
        "PA-TR-ELVION",
    ]
    assert keyed_page.is_visible("#key-form") is False
    assert keyed_page.is_visible("#forget-key") is True
    assert storage(keyed_page) == {
        "session": {"graphsvc.apiKey": KEYS["reader"]},
        "local": {},
    }
    assert keyed_page.url == f"{secured.url}/explore/?view=provenance&id={ITEM}"


def test_an_export_from_the_page_carries_the_key(keyed_page: Page) -> None:
    keyed_page.goto(f"/explore/?view=provenance&id={ITEM}")
    key_form_shown(keyed_page)
    enter_key(keyed_page, KEYS["reader"])
    settled(keyed_page, "provenance")

    with keyed_page.expect_download(timeout=WAIT_MS) as started:
        keyed_page.click(".exports button[data-format=json]")
    saved = json.loads(Path(started.value.path()).read_text())

    assert started.value.suggested_filename == f"provenance-{ITEM}.json"
    assert sorted(n["id"] for n in saved["nodes"] if n["id"].startswith("Item:")) == [
        f"Item:{ITEM}"
    ]


def test_a_refused_export_shows_the_services_reason(page: Page) -> None:
    page.goto(f"/explore/?view=provenance&id={ITEM}")
    settled(page, "provenance")
    # The page asks for a format the service does not make, so the service refuses.
    page.route(
        "**/export?*",
        lambda route: route.continue_(
            url=route.request.url.replace("format=json", "format=xlsx")
        ),
    )

    page.click(".exports button[data-format=json]")
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)

    assert page.text_content("#error") == (
        "format: must be one of graphml, gexf, json, csv-nodes, csv-edges, csv, "
        "not 'xlsx'"
    )


def test_forgetting_the_key_asks_for_it_again(keyed_page: Page) -> None:
    keyed_page.goto("/explore/")
    key_form_shown(keyed_page)
    enter_key(keyed_page, KEYS["reader"])
    settled(keyed_page, "home")

    keyed_page.click("#forget-key")
    message = key_form_shown(keyed_page)

    assert message == "a valid API key is required"
    assert storage(keyed_page) == {"session": {}, "local": {}}


@pytest.mark.parametrize(
    ("key", "refusal"),
    [
        pytest.param("reader-one.wrong", "a valid API key is required", id="unknown"),
        pytest.param(KEYS["loader"], "this API key may not do that", id="loader"),
    ],
)
def test_a_refused_key_shows_the_refusal(
    keyed_page: Page, key: str, refusal: str
) -> None:
    keyed_page.goto("/explore/")
    key_form_shown(keyed_page)

    enter_key(keyed_page, key)
    keyed_page.wait_for_function(
        "(text) => document.getElementById('key-message').textContent === text"
        " && !document.getElementById('key-form').hidden",
        arg=refusal,
        timeout=WAIT_MS,
    )
    settled(keyed_page, "home")

    assert storage(keyed_page) == {"session": {}, "local": {}}


def test_a_key_of_another_brand_finds_nothing_of_the_planted_item(
    keyed_page: Page,
) -> None:
    keyed_page.goto("/explore/")
    key_form_shown(keyed_page)
    enter_key(keyed_page, KEYS["other_brand"])
    settled(keyed_page, "home")

    keyed_page.fill("#search", ITEM)
    keyed_page.wait_for_selector("#results li", timeout=WAIT_MS)
    settled(keyed_page, "home")

    results = keyed_page.eval_on_selector_all(
        "#results li", "items => items.map(li => li.textContent)"
    )
    assert results == ["Nothing found"]


LATE_NEIGHBOURS = """() => {
  const fetchNow = window.fetch;
  window.fetch = async (url, options) => {
    if (options && String(options.body).includes("neighborhood")) {
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    return fetchNow(url, options);
  };
}"""
"""Makes the page's neighbourhood requests answer late, as on a slow network."""


def test_a_view_left_before_it_loaded_does_not_draw_over_the_next(
    page: Page, demo: tuple[Server, Any]
) -> None:
    page.goto(f"/explore/?view=provenance&id={ITEM}")
    settled(page, "provenance")
    page.evaluate(LATE_NEIGHBOURS)

    page.click('#hops li.hop[data-party="PA-PL-FENINA"] a')
    page.go_back()
    settled(page, "provenance")

    drawn = page.evaluate("window.explorer.cy.nodes().map(n => n.id())")
    assert drawn == [f"hop-{n}" for n in range(1, 7)]
    assert page.text_content("#side h2") == f"Provenance of {ITEM}"
    assert page.url == f"{demo[0].url}/explore/?view=provenance&id={ITEM}"


def test_an_expansion_answered_after_leaving_keeps_the_next_views_link(
    page: Page, demo: tuple[Server, Any]
) -> None:
    page.goto(f"/explore/?view=provenance&id={ITEM}")
    settled(page, "provenance")
    page.click('#hops li.hop[data-party="PA-PL-FENINA"] a')
    settled(page, "node")
    page.evaluate(LATE_NEIGHBOURS)

    click_node(page, "Shipment:SH-00000145")
    page.go_back()
    settled(page, "provenance")

    drawn = page.evaluate("window.explorer.cy.nodes().map(n => n.id())")
    assert drawn == [f"hop-{n}" for n in range(1, 7)]
    assert page.url == f"{demo[0].url}/explore/?view=provenance&id={ITEM}"


def test_a_view_that_fails_leaves_nothing_of_the_previous_one(page: Page) -> None:
    page.goto(f"/explore/?view=node&id=Item:{ITEM}")
    settled(page, "node")
    page.route(
        "**/graphql",
        lambda route: (
            route.fulfill(status=502, body="")
            if "provenance" in (route.request.post_data or "")
            else route.continue_()
        ),
    )

    page.click("#open-provenance")
    page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    settled(page, "provenance")

    assert page.text_content("#error") == "the service answered 502"
    assert page.evaluate("window.explorer.cy.elements().length") == 0
    assert page.text_content("#panel") == ""


def test_forgetting_the_key_takes_its_search_results_away(keyed_page: Page) -> None:
    keyed_page.goto("/explore/")
    key_form_shown(keyed_page)
    enter_key(keyed_page, KEYS["reader"])
    settled(keyed_page, "home")
    keyed_page.fill("#search", "PA-PL-FENINA")
    keyed_page.wait_for_selector("#results li.result", timeout=WAIT_MS)
    settled(keyed_page, "home")

    keyed_page.click("#forget-key")
    key_form_shown(keyed_page)

    assert keyed_page.is_visible("#results") is False
    assert keyed_page.inner_html("#results") == ""


def test_search_results_close_on_a_press_elsewhere_and_on_going_back(
    page: Page,
) -> None:
    page.goto("/explore/")
    settled(page, "home")
    page.fill("#search", "PA-PL-FENINA")
    page.click('#results li[data-id="Party:PA-PL-FENINA"]', timeout=WAIT_MS)
    settled(page, "node")

    page.fill("#search", "PA-PL-FEN")
    page.wait_for_selector("#results li.result", state="visible", timeout=WAIT_MS)
    page.click("#panel")
    pressed = page.is_visible("#results")
    page.fill("#search", "PA-PL-FENI")
    page.wait_for_selector("#results li.result", state="visible", timeout=WAIT_MS)
    page.go_back()
    settled(page, "home")

    assert pressed is False
    assert page.is_visible("#results") is False


def test_the_legend_button_says_whether_the_legend_is_open(page: Page) -> None:
    page.goto("/explore/")
    settled(page, "home")
    shown = page.get_attribute("#legend-toggle", "aria-expanded")

    page.click("#legend-toggle")

    assert (shown, page.get_attribute("#legend-toggle", "aria-expanded")) == (
        "true",
        "false",
    )
    assert page.is_visible("#legend") is False
    assert page.get_attribute("#graph", "aria-label") == (
        "The graph of this view; its details are in the side panel"
    )


def contrast(colours: list[str]) -> float:
    """The WCAG contrast ratio of two computed `rgb(r, g, b)` colours."""

    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in css[css.index("(") + 1 : -1].split(",")]
        r, g, b = (
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels[:3]
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted(map(luminance, colours), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_label_badges_are_legible_on_their_colour(page: Page) -> None:
    page.goto("/explore/")
    settled(page, "home")
    around = page.evaluate(
        """async id => {
          const query = `query($id: ID!) {
            neighborhood(id: $id, limit: 50) { nodes { id label } } }`;
          const answer = await fetch("/graphql", {method: "POST",
            headers: {"content-type": "application/json"},
            body: JSON.stringify({query, variables: {id}})});
          return (await answer.json()).data.neighborhood.nodes;
        }""",
        f"Item:{ITEM}",
    )
    first: dict[str, str] = {}
    for node in around:
        first.setdefault(node["label"], node["id"])

    ratios: dict[str, float] = {}
    for label in ("Item", "Scan", "Product"):
        page.goto(f"/explore/?view=node&id={first[label]}")
        settled(page, "node")
        colours = page.eval_on_selector(
            "#panel h2 .badge",
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]",
        )
        ratios[label] = round(contrast(colours), 1)

    assert ratios == {"Item": 6.1, "Scan": 5.6, "Product": 7.0}


def test_on_a_phone_the_page_fits_its_width(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/explore/?view=node&id=Party:PA-PL-FENINA")
    settled(page, "node")
    shot(page, "9-phone")

    widths = page.evaluate(
        """() => [document.documentElement.scrollWidth,
          ...['graph', 'search', 'side'].map(
            (id) => document.getElementById(id).getBoundingClientRect().width)]"""
    )
    graph = page.evaluate(
        "document.getElementById('graph').getBoundingClientRect().bottom"
    )
    side = page.evaluate("document.getElementById('side').getBoundingClientRect().top")

    assert widths == [390, 390, 358, 390]
    assert graph < side


def test_links_to_other_views_hold_their_address_for_a_new_tab(page: Page) -> None:
    page.goto("/explore/?view=findings&brand=BR-OMBRELIS&kinds=REENTRY")
    settled(page, "findings")
    item = page.get_attribute("table.findings tr.finding a", "href")

    with page.context.expect_page(timeout=WAIT_MS) as opened_tab:
        page.click("table.findings tr.finding a", modifiers=["Control"])
    tab = opened_tab.value
    settled(tab, "provenance")
    party = tab.get_attribute('#hops li.hop[data-party="PA-PL-FENINA"] a', "href")
    tab.close()

    assert item == f"/explore/?view=provenance&id={ITEM}"
    assert party == "/explore/?view=node&id=Party%3APA-PL-FENINA"
    assert page.evaluate("document.body.dataset.view") == "findings"


def test_a_custody_chain_is_drawn_in_rows_at_a_readable_size(page: Page) -> None:
    page.goto(f"/explore/?view=provenance&id={ITEM}")
    settled(page, "provenance")

    drawn = page.evaluate(
        "window.explorer.cy.nodes('.hop').map(n => [n.position('x'), n.position('y')])"
    )
    zoom = page.evaluate("window.explorer.cy.zoom()")

    assert drawn == [[0, 0], [220, 0], [440, 0], [0, 110], [220, 110], [440, 110]]
    assert zoom == 1.2


def test_opening_the_page_asks_for_nothing_that_is_missing(page: Page) -> None:
    missing: list[str] = []
    page.on(
        "console",
        lambda message: (
            missing.append(message.text) if message.type == "error" else None
        ),
    )

    page.goto("/explore/")
    settled(page, "home")

    assert missing == []


def test_a_single_cluster_is_counted_in_the_singular(page: Page) -> None:
    page.goto("/explore/?view=clusters&brand=BR-OMBRELIS")
    settled(page, "clusters")

    assert page.text_content("#listing p") == (
        "1 cluster of unauthorized distributors, largest first."
    )
