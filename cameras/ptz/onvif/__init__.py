"""The ONVIF adapter: the one place that speaks ONVIF (onvif-zeep-async) to cameras.

- ``client``: ``OnvifAdapter`` and ``get_adapter``, the synchronous PTZ operations workers call.
- ``errors``: the adapter's typed errors (``retryable`` says whether trying again helps).
- ``replies``: what the adapter reads from cameras, and the liberal readers of their replies.
- ``clock``: learning the camera's clock so that it accepts signed requests.
- ``target``: requests go only to the camera's configured, checked address.
- ``backoff``: the back-off key per address and login (light: the web process imports it).

Nothing here is imported by this ``__init__``: importing ``backoff`` must not load the ONVIF library.
"""
