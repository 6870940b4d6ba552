"""Pan, tilt and zoom: everything between a PTZ button and a camera's ONVIF service.

- ``vocabulary``: the PTZ actions and the PTZ features, defined once for
  the models, the adapter, the services and the API.
- ``services``: what views, the API, the admin and commands call (access,
  validation, the control lease, queueing commands, presets).
- ``api`` and ``serializers``: ``/api/v1/cameras/<id>/ptz/`` and its presets.
- ``state``: the shared PTZ state of each camera in Redis (lease, command
  sequence, move note, last status).
- ``tasks``: the Celery tasks (their names stay ``cameras.tasks.*``);
  ``device``: what those tasks do with a camera.
- ``onvif``: the ONVIF adapter (client, errors, replies, clock, target, backoff),
  the only code that talks to a camera's ONVIF service.

The models (``PTZCapabilities``, ``PTZPreset``) live in ``cameras.models``.
"""
