"""Stripe's side of a payment in tests: what a driver does on the Checkout page, what
Telegram's own Stripe connection charges, and how a test reads Stripe's state (localstripe)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import stripe

from tests.support.localstripe import LocalStripe

SECRET_KEY = "sk_test_parkshare"
WEBHOOK_SECRET = "whsec_parkshare_tests"
PAYLOAD = "booking:42:1"


class StripeSide:
    """What happens at Stripe without our gateway (a driver pays on the Checkout page,
    Telegram's own Stripe connection charges a card) and how a test reads Stripe's state."""

    def __init__(self, server: LocalStripe) -> None:
        self._client = stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": server.url}, max_network_retries=0
        )
        self._api = self._client.v1

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(method, *args, **kwargs)

    async def pays(
        self,
        minor: int,
        *,
        hold: bool = True,
        card: str = "pm_card_visa",
        currency: str = "eur",
        payload: str = PAYLOAD,
        metadata: dict[str, str] | None = None,
    ) -> stripe.PaymentIntent:
        """The PaymentIntent a Checkout page confirms with the driver's card; ``metadata``:
        what else the page's ``payment_intent_data`` asked the intent to carry."""
        booking_id = payload.split(":")[1]
        return await self._call(
            self._api.payment_intents.create,
            params={
                "amount": minor,
                "currency": currency,
                "capture_method": "manual" if hold else "automatic",
                "payment_method": card,
                "confirm": True,
                "metadata": {"booking_id": booking_id, "payload": payload, **(metadata or {})},
            },
        )

    async def saves_card(self, *, number: str = "4242424242424242") -> tuple[str, str]:
        """A customer with a card attached, as Checkout leaves them when it saves the card
        for later (``setup_future_usage``): the customer's and the payment method's ids. A
        number such as 4000002760003184 is a card whose bank always asks for 3-D Secure."""
        customer = await self._call(self._api.customers.create, params={})
        method = await self._call(
            self._api.payment_methods.create,
            params={"type": "card",
                    "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}},
        )  # fmt: skip
        await self._call(
            self._api.payment_methods.attach, method.id, params={"customer": customer.id}
        )
        return str(customer.id), str(method.id)

    async def pays_with_saved_card(
        self, minor: int, customer: str, method: str, *, payload: str = PAYLOAD
    ) -> stripe.PaymentIntent:
        """The Checkout page's PaymentIntent when it saves the card: charged, with the
        customer and payment method it saved."""
        booking_id = payload.split(":")[1]
        intent = await self._call(
            self._api.payment_intents.create,
            params={
                "amount": minor, "currency": "eur", "customer": customer, "payment_method": method,
                "confirm": True, "metadata": {"booking_id": booking_id, "payload": payload},
            },
        )  # fmt: skip
        if intent.status == "requires_action":  # the driver passes 3-D Secure on the page
            await self._call(
                self._client.raw_request, "post",
                f"/v1/payment_intents/{intent.id}/_authenticate",
                client_secret=intent.client_secret, success="true",
            )  # fmt: skip
            intent = await self.intent(intent.id)
        return intent

    async def declines(self, minor: int) -> str:
        """A card declined on the page: the intent stays, waiting for another card.
        (localstripe declines 4000000000000341 when charged; pm_card_visa_chargeDeclined only
        when attached to a customer.)"""
        intent = await self._call(
            self._api.payment_intents.create,
            params={
                "amount": minor,
                "currency": "eur",
                "capture_method": "manual",
                "payment_method": "pm_card_chargeCustomerFail",
            },
        )
        with pytest.raises(stripe.CardError) as declined:
            await self._call(self._api.payment_intents.confirm, intent.id)
        assert declined.value.code == "card_declined"
        return str(intent.id)

    async def telegram_charge(self, minor: int) -> stripe.Charge:
        """A Telegram invoice paid through its Stripe provider is a plain charge."""
        return await self._call(
            self._api.charges.create,
            params={"amount": minor, "currency": "eur", "source": "pm_card_visa"},
        )

    async def intent(self, intent_id: str) -> stripe.PaymentIntent:
        return await self._call(self._api.payment_intents.retrieve, intent_id)

    async def charge_of(self, intent_id: str) -> stripe.Charge:
        charge = (await self.intent(intent_id)).latest_charge
        charge_id = charge if isinstance(charge, str) else charge.id
        return await self._call(self._api.charges.retrieve, charge_id)

    async def charge(self, charge_id: str) -> stripe.Charge:
        return await self._call(self._api.charges.retrieve, charge_id)

    async def refund(self, refund_id: str) -> stripe.Refund:
        return await self._call(self._api.refunds.retrieve, refund_id)

    async def refunds_of(self, intent_id: str) -> list[stripe.Refund]:
        page = await self._call(self._api.refunds.list, params={"payment_intent": intent_id})
        return list(page.data)
