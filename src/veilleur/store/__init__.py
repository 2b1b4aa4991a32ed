"""Storage: tables, migrations, the writer used by the engine, and read queries.

Exceptions::

    StoreError              storage cannot be used
    └── SchemaTooNewError   the database was migrated by a newer Veilleur
"""

from veilleur.store.db import Database, StoreError

__all__ = ["Database", "StoreError"]
