"""SQLite's spatial index key: what ``core.db.spatial.place_key`` packs, and the layout
migration 0029's triggers write. A change to the layout here needs a migration that rekeys
the index: this fails until there is one."""

import importlib.util

import pytest

from core import free_time
from core.db import spatial
from core.db.migrate import MIGRATIONS
from core.db.models import VehicleSize


def _revision(name: str):
    path = next((MIGRATIONS / "versions").glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_triggers_key_spots_as_the_code_reads_keys():
    written = _revision("0029")
    assert written.OUTLINE_GROUPS == free_time.OUTLINE_GROUPS
    assert written.SPOT_SHIFT == spatial.KEY_SPOT_SHIFT
    assert written.MAX_SPOT_ID == spatial.MAX_KEYED_SPOT_ID
    assert written.UNITS_PER_DEGREE == spatial.PLACE_UNITS_PER_DEGREE
    for size, rank in spatial.SIZE_RANKS.items():
        assert f"WHEN '{size.value}' THEN {rank}" in written.SIZE_RANK or (
            rank == len(VehicleSize) - 1 and written.SIZE_RANK.endswith(f"ELSE {rank} END")
        )


def test_a_key_holds_the_spot_and_what_searches_ask_of_it():
    key = spatial.place_key(7, free_time.ALL_WEEK_SLOTS, ev_charger=True, covered=False,
                            size=VehicleSize.LARGE)  # fmt: skip
    assert key >> spatial.KEY_SPOT_SHIFT == 7
    assert key & spatial.KEY_EV_CHARGER
    assert not key & spatial.KEY_COVERED
    assert key >> spatial.KEY_SIZE_SHIFT & spatial.KEY_SIZE_MASK == 3
    outline = key >> spatial.KEY_OUTLINE_SHIFT & (1 << len(free_time.OUTLINE_GROUPS)) - 1
    assert outline == free_time.week_outline(free_time.ALL_WEEK_SLOTS)
    largest = spatial.place_key(spatial.MAX_KEYED_SPOT_ID, -1, ev_charger=True, covered=True,
                                size=VehicleSize.VAN)  # fmt: skip
    assert largest < 1 << 63  # SQLite's integers are signed 64-bit


@pytest.mark.parametrize("spot_id", [0, spatial.MAX_KEYED_SPOT_ID + 1])
def test_an_id_the_key_cannot_hold_is_refused(spot_id):
    with pytest.raises(ValueError, match="spatial index"):
        spatial.place_key(spot_id, 0, ev_charger=False, covered=False, size=VehicleSize.SMALL)


@pytest.mark.parametrize(
    ("degrees", "units"),
    [(52.52, 525_200_000), (-33.8688, -338_688_000), (13.40500005, 134_050_001), (0.0, 0)],
)
def test_places_are_held_in_ten_millionths_of_a_degree_rounded_as_sqlite_rounds(degrees, units):
    assert spatial.place_units(degrees) == units
