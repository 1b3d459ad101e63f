"""A driver pages through the nearest free spots: five a page, fifteen at most, each once and
nearest first, whatever each page's search asked the store for."""

import pytest

from bot.handlers.search import RESULTS
from core.geo import GeoPoint
from core.services.search import nearest_free
from core.timezones import timezone_of
from core.window import DEFAULT_WINDOW, window_for
from sandbox.demo_city import BERLIN
from tests.integration.builders import a_person, an_approved_spot

CENTRE = (BERLIN.centre.lat, BERLIN.centre.lon)


def _listed(message) -> list[int]:
    """The ids of the spots a results message lists."""
    return [int(data.split(":")[1]) for data in message.button_data if data.startswith("spot:")]


@pytest.mark.parametrize("demo_spots", [120])
async def test_the_pages_list_the_fifteen_nearest_free_spots_in_order_each_once(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    pages = [_listed(dana.last_message())]
    assert "More ▶" in dana.last_message().buttons
    assert "◀ Back" not in dana.last_message().buttons
    await dana.press("More ▶")
    pages.append(_listed(dana.last_message()))
    assert {"◀ Back", "More ▶"} <= set(dana.last_message().buttons)
    await dana.press("More ▶")
    pages.append(_listed(dana.last_message()))
    assert "More ▶" not in dana.last_message().buttons
    await dana.press("◀ Back")
    assert _listed(dana.last_message()) == pages[1]

    now = sandbox.clock.now()
    window = window_for(DEFAULT_WINDOW, now, timezone_of(GeoPoint(*CENTRE)))
    whole = await nearest_free(
        sandbox.database, point=GeoPoint(*CENTRE), start=window.start, end=window.end,
        now=now, k=RESULTS,
    )  # fmt: skip
    assert [len(page) for page in pages] == [5, 5, 5]
    assert [spot for page in pages for spot in page] == [hit.spot_id for hit in whole.hits]


@pytest.mark.parametrize(("spots", "more"), [(5, False), (6, True)])
async def test_more_is_offered_only_when_another_spot_is_free(sandbox, spots, more):
    olga = await a_person(sandbox.database, sandbox.clock, "Olga")
    made = [
        (await an_approved_spot(sandbox.database, sandbox.clock, olga)).id for _ in range(spots)
    ]
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    # The builder's spots share one point: the nearest first are the first made.
    assert _listed(dana.last_message()) == made[:5]
    assert ("More ▶" in dana.last_message().buttons) is more
    if more:
        await dana.press("More ▶")
        assert _listed(dana.last_message()) == made[5:]
        assert "More ▶" not in dana.last_message().buttons
