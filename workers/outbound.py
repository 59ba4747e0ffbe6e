"""An HTTP session for calls to client-chosen URLs that only reaches addresses the operator's
allow-list admits (jobgate.rules.outbound), checked on the address each connection really
reached, after DNS: a name re-pointed since it was registered (DNS rebinding) is refused
too. It follows no redirect and ignores proxy variables (a proxy would hide the address).
"""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from jobgate.rules.outbound import Policy, Refused, to_address


class _Checked:
    policy: Policy

    def _new_conn(self):
        sock = super()._new_conn()
        why = self.policy.refusal(self.host, to_address(sock.getpeername()[0]), self.port)
        if why:
            sock.close()
            raise Refused(f"{self.host}:{self.port} is refused: {why}")
        return sock


def session(policy: Policy) -> requests.Session:
    pools = {scheme: type(f"Checked{pool.__name__}", (pool,), {
        "ConnectionCls": type(f"Checked{connection.__name__}", (_Checked, connection), {"policy": policy})})
        for scheme, pool, connection in (("http", HTTPConnectionPool, HTTPConnection),
                                         ("https", HTTPSConnectionPool, HTTPSConnection))}

    class CheckedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    checked = requests.Session()
    checked.trust_env = False
    for scheme in ("http://", "https://"):
        checked.mount(scheme, CheckedAdapter())
    return checked
