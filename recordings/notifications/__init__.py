"""Notifications: where alerts go (``rules``) and how they get there (``delivery``, ``webhooks``).

``rules`` writes webhook endpoints and notification rules; ``delivery``
matches rules to an event, keeps the delivery log and sends e-mails and
signed webhooks (``webhooks``).
"""
