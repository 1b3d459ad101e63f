"""The ParkShare domain: entities, rules and services. Knows nothing of Telegram or Stripe."""
