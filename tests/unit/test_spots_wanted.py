"""How many spots a results page asks the search for."""

from bot.handlers.search import RESULTS, spots_wanted
from core.services.search import SortOrder


def test_a_nearest_first_page_asks_for_its_spots_and_one_more_and_other_orders_for_all():
    assert [spots_wanted(SortOrder.NEAREST, page) for page in range(4)] == [6, 11, 15, 15]
    assert spots_wanted(SortOrder.NEAREST, -3) == 6  # a page no button leads to
    for order in (SortOrder.CHEAPEST, SortOrder.BEST_RATED):
        assert [spots_wanted(order, page) for page in range(3)] == [RESULTS] * 3
