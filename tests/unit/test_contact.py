"""The relay masks contact details and leaves everything else a driver or owner writes."""

import pytest

from core.contact import MASK, mask_contacts


@pytest.mark.parametrize(
    ("typed", "relayed"),
    [
        ("call me +49 151 2345 6789", f"call me {MASK}"),
        ("call me on 0151-2345678 please", f"call me on {MASK} please"),
        ("(030) 1234 5678", MASK),
        ("+7 (912) 345-67-89 звоните", f"{MASK} звоните"),
        ("我的电话 13812345678", f"我的电话 {MASK}"),
        ("write to @dana_parks", f"write to {MASK}"),
        ("t.me/dana_parks or https://wa.me/4915123456789", f"{MASK} or {MASK}"),
        ("mail dana.p+park@example.com", f"mail {MASK}"),
        # Not contacts: times, prices, booking numbers, plates, dates, short codes.
        ("I'll be there at 9-17, gate code 4711", "I'll be there at 9-17, gate code 4711"),
        ("booking #123 costs €12.50", "booking #123 costs €12.50"),
        ("from 08:00-18:00 on 2026-11-25", "from 08:00-18:00 on 2026-11-25"),
        ("plate B-AB 1234", "plate B-AB 1234"),
        ("on 25.11.2026", "on 25.11.2026"),
        ("level -2, spot 17", "level -2, spot 17"),
        ("", ""),
    ],
)
def test_contact_details_are_masked_and_nothing_else(typed, relayed):
    assert mask_contacts(typed) == relayed
