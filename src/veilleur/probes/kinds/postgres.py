"""PostgreSQL: a session opens (authentication, database) and answers ``SELECT 1``.

The password, when one is needed, is read from the environment variable named by
`password_env`, never from the inventory. The latency covers connection,
authentication and the query.
"""

from __future__ import annotations

import asyncio
import time
from types import ModuleType
from typing import Any

from pydantic import Field

from veilleur.probes.base import (
    ProbeContext,
    ProbeError,
    ProbeKind,
    ProbeOutcome,
    ProbeParams,
    password_from_env,
)
from veilleur.probes.errors import describe_error


class PostgresParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(default=5432, ge=1, le=65535)
    user: str = Field(default="postgres", min_length=1)
    database: str = Field(default="postgres", min_length=1)
    password_env: str | None = Field(default=None, min_length=1)


async def probe(
    params: PostgresParams, timeout: float, ctx: ProbeContext
) -> ProbeOutcome:
    asyncpg = _driver()
    password = password_from_env(params.password_env)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            value = await _select_one(asyncpg, params, password, timeout)
    except asyncpg.PostgresError as exc:
        return ProbeOutcome(False, None, _describe_server_error(asyncpg, exc, params))
    except (OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, _describe_connection_error(exc, timeout))
    except (asyncpg.InterfaceError, asyncpg.exceptions.ProtocolError) as exc:
        return ProbeOutcome(False, None, _not_postgres(exc))
    latency = (time.perf_counter() - started) * 1000
    if value != 1:
        return ProbeOutcome(
            False, latency, f"réponse inattendue à SELECT 1 : {value!r}"
        )
    return ProbeOutcome(True, latency, "SELECT 1 réussi")


def _driver() -> Any:  # the module; untyped, hence Any
    try:
        import asyncpg
    except ImportError as exc:
        raise ProbeError("pilote PostgreSQL (asyncpg) non installé") from exc
    return asyncpg


async def _select_one(
    asyncpg: ModuleType, params: PostgresParams, password: str | None, timeout: float
) -> Any:
    connection = await asyncpg.connect(
        host=params.host,
        port=params.port,
        user=params.user,
        database=params.database,
        password=password,
        timeout=timeout,
    )
    try:
        return await connection.fetchval("SELECT 1")
    finally:
        connection.terminate()  # no goodbye round trip to wait for


def _describe_server_error(
    asyncpg: ModuleType, exc: Exception, params: PostgresParams
) -> str:
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return f"mot de passe refusé pour « {params.user} »"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return f"accès refusé pour « {params.user} » : {exc}"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"base de données inconnue : « {params.database} »"
    if isinstance(exc, asyncpg.TooManyConnectionsError):
        return "trop de connexions sur le serveur"
    if isinstance(exc, asyncpg.CannotConnectNowError):
        return f"le serveur n'accepte pas de connexion pour l'instant : {exc}"
    return f"erreur PostgreSQL : {exc}"


def _describe_connection_error(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, ConnectionError) and exc.errno is None:
        # asyncpg's own complaint about the other end, such as "rejected SSL upgrade"
        # when something else than PostgreSQL answers its first message.
        return "le service ne répond pas comme PostgreSQL"
    return describe_error(exc, timeout)


def _not_postgres(exc: BaseException) -> str:
    detail = str(exc) or type(exc).__name__
    return f"le service ne répond pas comme PostgreSQL ({detail})"


KIND = ProbeKind(
    name="postgres",
    params=PostgresParams,
    probe=probe,
    describe=lambda p: f"{p.user}@{p.host}:{p.port}/{p.database}",
)
