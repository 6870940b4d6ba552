"""What accounts announces for the apps above it to act on.

``accounts`` sits below ``cameras``, ``signaling`` and ``recordings`` (they
import it; it imports none of them). When a change made here matters to
one of them, the service sends one of these signals, synchronously, at the
point where it used to call that app, and the app concerned connects its
receiver in its ``AppConfig.ready``:

- ``access_changed(user_id=...)``: a person's rights changed (role, limits,
  membership); ``signaling.apps`` tells their open event streams to
  recompute which cameras they follow.
- ``organization_updated(organization=..., changed=[field, ...])``: the
  organization's settings changed; ``recordings.apps`` moves the clips'
  expiry when the retention period is one of them.
"""

from django.dispatch import Signal

access_changed = Signal()
organization_updated = Signal()
