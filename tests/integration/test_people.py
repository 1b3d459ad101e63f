import pytest

from core.db.models import Role
from core.errors import InvalidLanguage, PersonBanned, PersonNotFound
from core.services import people
from tests.integration.builders import a_person


@pytest.mark.parametrize(
    ("code", "language"),
    [("en", "en"), ("en-GB", "en"), ("zh-hans", "zh_Hans"), ("zh-CN", "zh_Hans"), ("ru", "ru"),
     ("de", "en"), (None, "en"), ("", "en")],
)  # fmt: skip
def test_telegram_language_codes_map_to_our_catalogs(code, language):
    assert people.language_from_telegram(code) == language


async def test_first_contact_registers_a_person_once(db, clock):
    async with db.unit_of_work() as uow:
        first = await people.register(
            uow, clock, telegram_id=42, language_code="ru", first_name="Ivan", initial_credit=600
        )
    async with db.unit_of_work() as uow:
        again = await people.register(
            uow, clock, telegram_id=42, language_code="en", first_name="Ivan", initial_credit=600
        )
    assert again.id == first.id
    assert again.language == "ru"
    assert again.credit_score == 600


async def test_a_person_can_choose_a_supported_language(db, clock):
    person = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        await people.set_language(uow, person.id, "zh_Hans")
    async with db.unit_of_work() as uow:
        assert (await people.get(uow, person.id)).language == "zh_Hans"


async def test_an_unsupported_language_is_refused(db, clock):
    person = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        with pytest.raises(InvalidLanguage):
            await people.set_language(uow, person.id, "klingon")


async def test_roles_accumulate(db, clock):
    person = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        await people.add_role(uow, person.id, Role.DRIVER)
        await people.add_role(uow, person.id, Role.OWNER)
    async with db.unit_of_work() as uow:
        assert (await people.get(uow, person.id)).roles == Role.DRIVER | Role.OWNER


async def test_an_unknown_person_is_not_found(db):
    async with db.unit_of_work() as uow:
        with pytest.raises(PersonNotFound):
            await people.get(uow, 987_654)


async def test_a_banned_person_is_refused_where_activity_is_required(db, clock):
    person = await a_person(db, clock)
    async with db.unit_of_work() as uow:
        (await people.get(uow, person.id)).banned = True
    async with db.unit_of_work() as uow:
        with pytest.raises(PersonBanned):
            await people.get_active(uow, person.id)
