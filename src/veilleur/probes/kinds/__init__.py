"""The registry of probe kinds, by the name used in the inventory's ``kind:`` key."""

from __future__ import annotations

from veilleur.probes.base import ProbeKind
from veilleur.probes.kinds import dns, ftp, http, mysql, postgres, redis, tcp, tls

KINDS: dict[str, ProbeKind] = {
    kind.name: kind
    for kind in (
        tcp.KIND,
        http.KIND,
        tls.KIND,
        dns.KIND,
        postgres.KIND,
        mysql.KIND,
        redis.KIND,
        ftp.KIND,
    )
}
