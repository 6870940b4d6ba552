"""Motion detection: settings, events, live alerts, acknowledgements, and the workers that watch cameras.

``services`` holds settings, the event lifecycle and acknowledging;
``payload`` the one alert payload (event stream and webhooks); ``watch``,
``detector``, ``tracker`` and ``leases`` are the motion workers.
"""
