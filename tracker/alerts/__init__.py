"""E-mail alerts: double opt-in subscription, digests of what changed, one-click unsubscribe (issue 16)."""
