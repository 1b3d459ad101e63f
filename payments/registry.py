"""Which gateway collects new payments, which one each recorded payment came through, and
which one pays owners out, as settings choose."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ports import GatewayRefused, PaymentGateway
from core.settings import Settings
from payments.sandbox import SandboxGateway
from payments.telegram_invoice import TelegramInvoiceGateway


@dataclass
class Gateways:
    checkout: PaymentGateway
    payouts: PaymentGateway | None
    by_name: dict[str, PaymentGateway] = field(default_factory=dict)

    def of_payment(self, name: str) -> PaymentGateway:
        try:
            return self.by_name[name]
        except KeyError:
            raise GatewayRefused(f"no gateway {name!r} is configured") from None


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
        raise ValueError("PARKSHARE_PAYMENT_GATEWAY=stripe needs PARKSHARE_STRIPE_SECRET_KEY")
    checkout = by_name[choice]
    payouts = simulated if choice == "sandbox" else stripe
    return Gateways(checkout=checkout, payouts=payouts, by_name=by_name)
