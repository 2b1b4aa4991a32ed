"""Low-level network errors become stable French phrases, in this one place."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl

import aiohttp

# OpenSSL X509_V_ERR_* codes an operator meets in practice.
_CERT_VERIFY_CODES = {
    9: "certificat pas encore valide",
    10: "certificat expiré",
    18: "certificat auto-signé",
    19: "chaîne de certificats auto-signée",
    20: "autorité de certification inconnue",
    21: "autorité de certification inconnue",
    23: "certificat révoqué",
    62: "le nom d'hôte ne correspond pas au certificat",
    64: "l'adresse IP ne correspond pas au certificat",
}

# OpenSSL reasons seen when the other end does not speak TLS or hangs up.
_TLS_REASONS = {
    "WRONG_VERSION_NUMBER": "le service ne répond pas en TLS",
    "UNEXPECTED_EOF_WHILE_READING": "connexion fermée pendant la négociation TLS",
    "EOF_IN_VIOLATION_OF_PROTOCOL": "connexion fermée pendant la négociation TLS",
    "TLSV1_ALERT_PROTOCOL_VERSION": "version de TLS refusée par le serveur",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "négociation TLS refusée par le serveur",
    "TLSV1_ALERT_INTERNAL_ERROR": "erreur TLS interne du serveur",
}


def describe_error(exc: BaseException, timeout: float | None = None) -> str:
    """A short French phrase for why a connection or exchange failed."""
    unwrapped = _unwrap(exc)
    if unwrapped is not exc:
        return describe_error(unwrapped, timeout)
    http = _describe_http_error(exc)
    if http is not None:
        return http
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        if timeout is None:
            return "délai dépassé"
        return f"délai dépassé ({timeout:g} s)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificat refusé : {_describe_verification(exc)}"
    if isinstance(exc, ssl.SSLError):
        return _describe_tls(exc)
    if isinstance(exc, socket.gaierror):
        return "nom introuvable (DNS)"
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, ConnectionResetError):
        return "connexion réinitialisée par le serveur"
    if isinstance(exc, OSError) and exc.errno is not None:
        known = {
            errno.EHOSTUNREACH: "hôte injoignable",
            errno.ENETUNREACH: "réseau injoignable",
            errno.ECONNREFUSED: "connexion refusée",
            errno.ECONNRESET: "connexion réinitialisée par le serveur",
            errno.ETIMEDOUT: "délai dépassé",
        }
        if exc.errno in known:
            return known[exc.errno]
        return f"erreur réseau : {exc.strerror or exc}"
    if isinstance(exc, OSError) and "Connect call failed" in str(exc):
        # asyncio joins the errors of every address it tried into one OSError.
        return "connexion refusée"
    if isinstance(exc, UnicodeError):
        # The IDNA codec rejects some host names before any network traffic.
        return "nom d'hôte invalide"
    text = str(exc) or type(exc).__name__
    return f"échec : {text}"


def _unwrap(exc: BaseException) -> BaseException:
    """The underlying OS or TLS error of an aiohttp connection error, if any."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return exc.certificate_error
    if isinstance(exc, aiohttp.ClientConnectorError) and not isinstance(
        exc, TimeoutError
    ):
        return exc.os_error
    return exc


def _describe_http_error(exc: BaseException) -> str | None:
    """French phrases for aiohttp's own (non-OS) failures."""
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "trop de redirections"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"URL invalide : {exc.url}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "connexion fermée par le serveur sans réponse"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "corps de réponse tronqué ou mal formé"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "réponse HTTP invalide"
    return None


def _describe_verification(exc: ssl.SSLCertVerificationError) -> str:
    code = exc.verify_code
    if isinstance(code, int) and code in _CERT_VERIFY_CODES:
        return _CERT_VERIFY_CODES[code]
    return str(exc.verify_message or exc.reason or "raison inconnue")


def _describe_tls(exc: ssl.SSLError) -> str:
    reason = exc.reason
    if isinstance(reason, str) and reason in _TLS_REASONS:
        return _TLS_REASONS[reason]
    if isinstance(exc, ssl.SSLEOFError):
        return _TLS_REASONS["UNEXPECTED_EOF_WHILE_READING"]
    return f"échec TLS : {reason or exc}"
