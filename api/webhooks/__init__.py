"""Webhooks: subscriptions, the Standard Webhooks format, the outbox worker and safe targets."""
