"""Database work from the sockets, on Django's thread pool."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async


def pooled_db(func: Any) -> Any:
    """Run ORM work on the shared thread pool rather than the single sync thread.

    Channels runs every ``database_sync_to_async`` call of every connection
    on one thread, which the portal's synchronous page requests share, so a
    burst of viewers would queue behind each other and behind the pages. Use
    it for self-contained calls (no transaction spans them): any pool
    thread may run them, taking a connection for the call and giving it back
    after (from the PostgreSQL pool; see ``database_from_url`` in settings).
    """
    return database_sync_to_async(func, thread_sensitive=False)
