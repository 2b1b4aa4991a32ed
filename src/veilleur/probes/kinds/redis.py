"""Redis: the server answers PING (after AUTH when a password is configured).

The password, when one is needed, is read from the environment variable named by
`password_env`, never from the inventory; `user` is a Redis 6 ACL user name. A service
on the port that does not speak Redis is a failure. The latency covers connection,
authentication and PING.
"""

from __future__ import annotations

import asyncio
import time
from types import ModuleType
from typing import Any, Self

from pydantic import Field, model_validator

from veilleur.probes.base import (
    ProbeContext,
    ProbeError,
    ProbeKind,
    ProbeOutcome,
    ProbeParams,
    password_from_env,
)
from veilleur.probes.errors import describe_error


class RedisParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(default=6379, ge=1, le=65535)
    user: str | None = Field(default=None, min_length=1)
    password_env: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_user(self) -> Self:
        if self.user is not None and self.password_env is None:
            raise ValueError("a Redis ACL user needs password_env")
        return self


async def probe(params: RedisParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    redis = _driver()
    password = password_from_env(params.password_env)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            answer = await _ping(redis, params, password, timeout)
    except (OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    except redis.exceptions.RedisError as exc:
        return ProbeOutcome(False, None, _describe_redis_error(redis, exc, timeout))
    latency = (time.perf_counter() - started) * 1000
    if answer is not True:
        return ProbeOutcome(False, latency, f"réponse inattendue à PING : {answer!r}")
    return ProbeOutcome(True, latency, "PONG")


def _driver() -> ModuleType:
    try:
        import redis
        import redis.asyncio
        import redis.asyncio.retry
        import redis.backoff
    except ImportError as exc:
        raise ProbeError("pilote Redis (redis) non installé") from exc
    return redis


async def _ping(
    redis: ModuleType, params: RedisParams, password: str | None, timeout: float
) -> Any:
    client = redis.asyncio.Redis(
        host=params.host,
        port=params.port,
        username=params.user,
        password=password,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One attempt: the engine decides what a failure means, not the driver.
        retry=redis.asyncio.retry.Retry(redis.backoff.NoBackoff(), 0),
        single_connection_client=True,
    )
    try:
        return await client.ping()
    finally:
        await client.aclose()


def _describe_redis_error(redis: ModuleType, exc: BaseException, timeout: float) -> str:
    errors = redis.exceptions
    if isinstance(exc, errors.AuthenticationError):
        if "required" in str(exc).lower():  # NOAUTH: a password was expected
            return "mot de passe exigé par le serveur"
        return "authentification refusée (utilisateur ou mot de passe)"
    if isinstance(exc, errors.BusyLoadingError):
        return "Redis charge ses données en mémoire"
    if isinstance(exc, errors.TimeoutError):
        return describe_error(TimeoutError(), timeout)
    if isinstance(exc, errors.ConnectionError) and isinstance(exc.__cause__, OSError):
        return describe_error(exc.__cause__, timeout)
    if isinstance(exc, errors.InvalidResponse):
        return f"le service ne répond pas comme Redis ({_received(exc)})"
    if isinstance(exc, errors.ResponseError):
        return f"erreur Redis : {exc}"
    return f"échec Redis : {exc}"


def _received(exc: BaseException) -> str:
    text = str(exc).removeprefix("Protocol Error: ")
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return f"reçu : {text[:60]}"


KIND = ProbeKind(
    name="redis",
    params=RedisParams,
    probe=probe,
    describe=lambda p: f"{p.host}:{p.port}",
)
