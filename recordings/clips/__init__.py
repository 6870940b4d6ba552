"""Clips: live exports from a gateway, range exports cut from recorded footage, multi-camera zips.

``services`` requests, records and deletes live clips; ``range_exports`` and
``cutting`` make clips from the footage index; ``bundles`` zips several;
``downloads`` serves files; ``cleanup`` and ``retention`` expire them.
"""
