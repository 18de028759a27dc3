"""Storage: SQLAlchemy 2 tables, async repositories, Alembic migrations.

Nothing here connects at import time: build a :class:`Database` from a URL
and ``await db.connect()`` in the composition root.
"""

from callcenter.storage.db import DEFAULT_URL, Database
from callcenter.storage.errors import NotFound, StorageError
from callcenter.storage.migrate import upgrade, upgrade_async

__all__ = ["DEFAULT_URL", "Database", "NotFound", "StorageError", "upgrade", "upgrade_async"]
