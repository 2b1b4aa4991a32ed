"""Storage: tables, migrations, the writer used by the engine, and read queries.

Exceptions::

    StoreError              storage cannot be used (unreachable: exit status 1)
    ├── StoreConfigError    the URL cannot work as written (exit status 2)
    └── SchemaTooNewError   the database was migrated by a newer Veilleur
"""

from veilleur.store.db import Database, StoreConfigError, StoreError

__all__ = ["Database", "StoreConfigError", "StoreError"]
