"""What the tests stand on, apart from the tests themselves.

The pytest plugin that starts PostgreSQL (or a SQLite file) and Redis
(``services``), builders of tenants and people (``factories``), the
isolation matrix (``isolation``), one way to wait (``waiting``), synthetic
cameras and go2rtc (``media``, ``motion_scene``, ``ptz_picture``,
``ptz_panorama``), a simulated ONVIF device (``onvif_device``), a WebRTC
viewer (``webrtc_peer``), Chromium (``browser``), object stores
(``storage_servers``) and concurrency helpers (``concurrency``).
"""
