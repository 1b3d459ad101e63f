"""Which gateway collects new payments, which one each recorded payment came through, and
which one pays owners out, as settings choose; and whether they can take the configured
currency, checked before the bot starts rather than when a driver presses Pay."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from babel.numbers import list_currencies

from core.ports import GatewayDirectory, GatewayRefused, PaymentGateway, PayoutGateway
from core.settings import Settings
from payments.sandbox import SandboxGateway
from payments.telegram_invoice import TelegramInvoiceGateway, telegram_refuses_currency

if TYPE_CHECKING:
    from payments.stripe_gateway import StripeGateway


class GatewaySettingsError(ValueError):
    """The payment settings cannot work; the message is one line that names the setting."""


@dataclass
class Gateways:
    checkout: PaymentGateway
    payouts: PayoutGateway | None
    by_name: dict[str, PaymentGateway] = field(default_factory=dict)
    # Stripe, when configured: its payment pages are reconciled and its webhooks read, which
    # no other gateway has.
    stripe: StripeGateway | None = None

    def of_payment(self, name: str) -> PaymentGateway:
        try:
            return self.by_name[name]
        except KeyError:
            raise GatewayRefused(f"no gateway {name!r} is configured") from None


if TYPE_CHECKING:  # the port the registry is, checked where it is defined
    _directory: type[GatewayDirectory] = Gateways


def gateways_for(settings: Settings, *, sandbox: bool) -> Gateways:
    stripe = None
    if settings.stripe_secret_key:
        from payments.stripe_gateway import StripeGateway

        stripe = StripeGateway(settings)
    telegram = TelegramInvoiceGateway(settings.payment_provider_token or "", stripe)
    simulated = SandboxGateway()
    by_name: dict[str, PaymentGateway] = {"telegram": telegram, "sandbox": simulated}
    if stripe is not None:
        by_name["stripe"] = stripe
    choice = settings.payment_gateway
    if choice == "auto":
        if sandbox:
            choice = "sandbox"
        elif stripe is not None and not settings.payment_provider_token:
            choice = "stripe"
        else:
            choice = "telegram"
    if choice == "stripe" and stripe is None:
        raise GatewaySettingsError(
            "PARKSHARE_PAYMENT_GATEWAY=stripe needs PARKSHARE_STRIPE_SECRET_KEY"
        )
    checkout = by_name[choice]
    payouts: PayoutGateway | None = simulated if choice == "sandbox" else stripe
    # The currency of new listings has to be one the money can move in: collected by the
    # checkout gateway, and refunded and paid out by the payouts one.
    for gateway in filter(None, (checkout, payouts)):
        if refusal := currency_refusal(gateway.name, settings.default_currency):
            raise GatewaySettingsError(
                f"PARKSHARE_DEFAULT_CURRENCY={settings.default_currency}: {refusal}"
            )
    return Gateways(checkout=checkout, payouts=payouts, by_name=by_name, stripe=stripe)


def currency_refusal(gateway: str, currency: str) -> str | None:
    """Why the gateway called ``gateway`` cannot take ``currency``, or None when it can: by
    Telegram's currency table, by Stripe's, and for the sandbox any currency Babel knows."""
    if gateway == "telegram":
        return telegram_refuses_currency(currency)
    if gateway == "stripe":
        from payments.stripe_gateway import stripe_refuses_currency

        return stripe_refuses_currency(currency)
    if currency.upper() in list_currencies():
        return None
    return f"{currency} is not a currency code"
