"""Playback of recorded footage: sessions, HLS playlists built from the segment index, segment bytes, timeline.

- ``sessions``: a playback session is a signed token (no table): who, which
  camera and stream, which range, until when. Every playlist and segment
  request opens it again and asks the access gate again.
- ``playlist``: the HLS (fMP4) playlist of a session, from the index.
- ``delivery``: a segment's bytes (Django with byte ranges, nginx
  ``X-Accel-Redirect``, or, later, a remote tier's short-lived URL).
- ``timeline``: coverage, gaps and motion events of a camera in a range.
"""
