"""MySQL / MariaDB: a session opens (authentication, database) and answers ``SELECT 1``.

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

# MySQL client and server error codes worth a phrase of their own.
ACCESS_DENIED = (1045, 1698)  # unknown user, wrong password, refused auth method
DATABASE_DENIED = 1044
UNKNOWN_DATABASE = 1049
TOO_MANY_CONNECTIONS = (1040, 1203)
CANNOT_CONNECT = 2003
LOST_CONNECTION = (2013, 2006)


class MysqlParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(default=3306, ge=1, le=65535)
    user: str = Field(default="root", min_length=1)
    database: str | None = Field(default=None, min_length=1)
    password_env: str | None = Field(default=None, min_length=1)


async def probe(params: MysqlParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    aiomysql = _driver()
    password = password_from_env(params.password_env) or ""  # aiomysql wants text
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            row = await _select_one(aiomysql, params, password, timeout)
    except (OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    except aiomysql.Error as exc:
        return ProbeOutcome(False, None, _describe_driver_error(exc, params, timeout))
    latency = (time.perf_counter() - started) * 1000
    if row is None or row[0] != 1:
        return ProbeOutcome(False, latency, f"réponse inattendue à SELECT 1 : {row!r}")
    return ProbeOutcome(True, latency, "SELECT 1 réussi")


def _driver() -> Any:  # the module; untyped, hence Any
    try:
        import aiomysql
    except ImportError as exc:
        raise ProbeError("pilote MySQL (aiomysql) non installé") from exc
    return aiomysql


async def _select_one(
    aiomysql: ModuleType, params: MysqlParams, password: str, timeout: float
) -> Any:
    connection = await aiomysql.connect(
        host=params.host,
        port=params.port,
        user=params.user,
        password=password,
        db=params.database,
        connect_timeout=timeout,
    )
    try:
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT 1")
            return await cursor.fetchone()
    finally:
        connection.close()  # no goodbye round trip to wait for


def _describe_driver_error(
    exc: BaseException, params: MysqlParams, timeout: float
) -> str:
    code, text = _code_and_text(exc)
    if code in ACCESS_DENIED:
        return f"accès refusé pour « {params.user} » (utilisateur ou mot de passe)"
    if code == DATABASE_DENIED:
        return f"accès refusé à la base « {params.database} » pour « {params.user} »"
    if code == UNKNOWN_DATABASE:
        return f"base de données inconnue : « {params.database} »"
    if code in TOO_MANY_CONNECTIONS:
        return "trop de connexions sur le serveur"
    if code == CANNOT_CONNECT and exc.__cause__ is not None:
        return describe_error(exc.__cause__, timeout)
    if code in LOST_CONNECTION or code is None:
        return f"le service ne répond pas comme MySQL ({text})"
    return f"erreur MySQL {code} : {text}"


def _code_and_text(exc: BaseException) -> tuple[int | None, str]:
    """PyMySQL errors carry (code, message); protocol errors only a message."""
    args = exc.args
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], str(args[1])
    return None, str(args[0]) if args else type(exc).__name__


def _describe(params: MysqlParams) -> str:
    target = f"{params.user}@{params.host}:{params.port}"
    return f"{target}/{params.database}" if params.database else target


KIND = ProbeKind(
    name="mysql",
    params=MysqlParams,
    probe=probe,
    describe=_describe,
)
