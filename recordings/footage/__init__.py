"""Footage: the recording engine (issue 12).

Recorders (``manage.py record``) hold Redis leases on their gateway's cameras
and run one ffmpeg per recorded stream, stream copy only, cutting fragmented
MP4 segments aligned to wall time. Each closed, synced segment becomes one
``Segment`` row; byte counters per camera and organization move with it in
the same transaction. Celery beat keeps footage within each camera's
retention, each organization's quota and the recordings disk's free-space
floor, never deleting what a legal hold protects (``housekeeping``,
``removal``, ``holds``), and tells people when recording stops or storage
fills (``notices``). This package is its own Django app (label
``footage``) so its tables and migrations stand apart from the rest of
``recordings``.
"""
