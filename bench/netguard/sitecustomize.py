"""Loaded through PYTHONPATH by bench/cold_start.py: refuse and record any non-loopback connection."""

import os
import socket

_LOG = os.environ.get("ADOPS_BENCH_NET_LOG")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
LOOPBACK = ("127.", "::1", "localhost")


def _note(what: str) -> None:
    if _LOG:
        with open(_LOG, "a") as handle:
            handle.write(what + "\n")


def _check(address: object) -> None:
    if isinstance(address, tuple) and address and not str(address[0]).startswith(LOOPBACK):
        _note(f"connect {address[0]}")
        raise OSError(f"bench netguard: network call to {address[0]} refused")


def connect(self, address):  # type: ignore[no-untyped-def]
    _check(address)
    return _real_connect(self, address)


def connect_ex(self, address):  # type: ignore[no-untyped-def]
    _check(address)
    return _real_connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not str(host).startswith(LOOPBACK) and host not in ("", "0.0.0.0"):
        _note(f"resolve {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo
