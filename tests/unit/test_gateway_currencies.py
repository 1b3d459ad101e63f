"""Every amount crosses a gateway through that gateway's own converter and currency table:
Telegram's exponents and price limits, Stripe's decimals and special cases, and a configured
currency the chosen gateway cannot take stops the bot before it starts."""

import tomllib
from pathlib import Path

import pytest
from babel.numbers import get_currency_precision

from core.money import Money
from core.ports import GatewayRefused
from core.settings import Settings
from payments.registry import GatewaySettingsError, gateways_for
from payments.stripe_gateway import from_stripe_amount, to_stripe_amount
from payments.telegram_invoice import (
    PriceOutsideTelegramLimits,
    TelegramAmountRefused,
    from_telegram_amount,
    telegram_currencies,
    to_telegram_amount,
)

ROOT = Path(__file__).resolve().parent.parent.parent

# Where Telegram counts hundredths and CLDR (Babel 2.19, which Money follows) counts whole units.
TELEGRAM_FINER_THAN_CLDR = {"AFN", "ALL", "COP", "HUF", "IDR", "LBP", "YER"}


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": "123:abc",
        "payment_gateway": "auto",
        "payment_provider_token": None,
        "stripe_secret_key": None,
        "default_currency": "EUR",
    }
    return Settings(_env_file=None, **(values | overrides))


# --- Telegram -------------------------------------------------------------------------------


def test_a_forint_price_goes_to_telegram_in_hundredths_of_a_forint():
    assert to_telegram_amount(Money(1500, "HUF")) == 150_000


def test_a_forint_amount_from_telegram_is_read_in_hundredths_of_a_forint():
    assert from_telegram_amount(150_000, "HUF") == Money(1500, "HUF")


def test_telegram_and_cldr_differ_exactly_where_the_table_says():
    differ = {
        code
        for code, currency in telegram_currencies().items()
        if currency.exp != get_currency_precision(code)
    }
    assert differ == TELEGRAM_FINER_THAN_CLDR


@pytest.mark.parametrize("code", sorted(TELEGRAM_FINER_THAN_CLDR))
def test_each_currency_where_telegram_is_finer_goes_there_and_back_a_hundredfold(code):
    price = Money(telegram_currencies()[code].max_amount // 100, code)
    assert to_telegram_amount(price) == price.minor * 100
    assert from_telegram_amount(price.minor * 100, code) == price


@pytest.mark.parametrize(("price", "sent"), [(Money(600, "EUR"), 600), (Money(500, "JPY"), 500)])
def test_currencies_where_telegram_agrees_with_cldr_are_sent_unchanged(price, sent):
    assert to_telegram_amount(price) == sent
    assert from_telegram_amount(sent, price.currency) == price


def test_a_dollar_price_under_telegrams_minimum_is_refused_with_its_limits():
    with pytest.raises(PriceOutsideTelegramLimits) as refused:
        to_telegram_amount(Money(99, "USD"))
    assert (refused.value.lowest, refused.value.highest) == (
        Money(100, "USD"),
        Money(1_000_000, "USD"),
    )
    assert refused.value.price == Money(99, "USD")


def test_a_dollar_price_over_telegrams_maximum_is_refused():
    with pytest.raises(PriceOutsideTelegramLimits):
        to_telegram_amount(Money(1_000_001, "USD"))
    assert to_telegram_amount(Money(1_000_000, "USD")) == 1_000_000


def test_the_limits_named_in_whole_forints_are_prices_telegram_takes():
    # Telegram's minimum is 369.24 Ft, which Money cannot hold: the first whole forint above it.
    with pytest.raises(PriceOutsideTelegramLimits) as refused:
        to_telegram_amount(Money(369, "HUF"))
    assert refused.value.lowest == Money(370, "HUF")
    assert to_telegram_amount(refused.value.lowest) == 37_000
    assert to_telegram_amount(refused.value.highest) <= telegram_currencies()["HUF"].max_amount


def test_a_currency_telegram_does_not_list_is_refused_both_ways():
    with pytest.raises(TelegramAmountRefused, match="KWD"):
        to_telegram_amount(Money(1230, "KWD"))
    with pytest.raises(TelegramAmountRefused, match="KWD"):
        from_telegram_amount(1230, "KWD")


def test_a_telegram_amount_with_a_fraction_of_a_forint_is_refused_not_rounded():
    with pytest.raises(TelegramAmountRefused):
        from_telegram_amount(150_050, "HUF")


def test_telegrams_table_ships_with_the_package():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "telegram_currencies.json" in package_data["package-data"]["payments"]
    assert (ROOT / "payments" / "telegram_currencies.json").is_file()


# --- Stripe ---------------------------------------------------------------------------------


def test_a_three_decimal_amount_whose_last_digit_is_not_zero_is_refused_for_stripe():
    with pytest.raises(GatewayRefused, match="KWD"):
        to_stripe_amount(Money(1234, "KWD"))


def test_a_three_decimal_amount_ending_in_zero_goes_to_stripe_as_it_is():
    assert to_stripe_amount(Money(1230, "KWD")) == 1230
    assert from_stripe_amount(1230, "kwd") == Money(1230, "KWD")


def test_stripe_takes_ugandan_shillings_as_two_decimals_that_are_always_zero():
    assert to_stripe_amount(Money(5, "UGX")) == 500
    assert from_stripe_amount(500, "ugx") == Money(5, "UGX")
    with pytest.raises(GatewayRefused):
        from_stripe_amount(550, "ugx")


def test_stripe_charges_forints_with_two_decimals():
    assert to_stripe_amount(Money(1500, "HUF")) == 150_000
    assert from_stripe_amount(150_000, "huf") == Money(1500, "HUF")


# --- the configured currency, checked at start ----------------------------------------------


def test_a_currency_telegram_does_not_list_stops_the_start_naming_the_setting():
    with pytest.raises(GatewaySettingsError) as refused:
        gateways_for(settings(payment_gateway="telegram", default_currency="KWD"), sandbox=False)
    message = str(refused.value)
    assert "\n" not in message
    assert "PARKSHARE_DEFAULT_CURRENCY=KWD" in message
    assert "Telegram" in message


def test_a_currency_stripe_does_not_take_stops_the_start():
    chosen = settings(payment_gateway="stripe", stripe_secret_key="sk_test_x")
    with pytest.raises(GatewaySettingsError, match="Stripe"):
        gateways_for(chosen.model_copy(update={"default_currency": "IRR"}), sandbox=False)
    assert gateways_for(chosen.model_copy(update={"default_currency": "KWD"}), sandbox=False)


def test_with_telegram_collecting_and_stripe_refunding_both_must_take_the_currency():
    # Telegram still lists the kuna; Stripe, which refunds and pays out here, no longer does.
    chosen = settings(
        payment_gateway="telegram", stripe_secret_key="sk_test_x", default_currency="HRK"
    )
    with pytest.raises(GatewaySettingsError, match="Stripe"):
        gateways_for(chosen, sandbox=False)
    assert gateways_for(chosen.model_copy(update={"stripe_secret_key": None}), sandbox=False)


def test_the_sandbox_takes_any_currency_babel_knows():
    assert gateways_for(settings(bot_token=None, default_currency="KWD"), sandbox=True)
    with pytest.raises(GatewaySettingsError, match="XYZ"):
        gateways_for(settings(bot_token=None, default_currency="XYZ"), sandbox=True)
