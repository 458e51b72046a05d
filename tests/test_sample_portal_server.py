"""The sample portal's server keeps up with a crawl: its listen backlog, and the Crawl-delay it can ask for.

With the standard library's backlog of 5, a crawl that opened dozens of connections at once had some
dropped by the kernel, each stalled ~1 s in its retry: the crawl benchmark measured the server.
"""

from __future__ import annotations

import datetime as dt
import socket
import struct
import urllib.request
from pathlib import Path

from sample_portal.server import LISTEN_BACKLOG, start_in_thread

AS_OF = dt.date(2025, 7, 1)


def listen_backlog(sock: socket.socket) -> int:
    """The backlog the kernel gave a listening socket: Linux's TCP_INFO ``tcpi_sacked`` (offset 28)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, 28)[0]


def test_the_portal_listens_with_a_backlog_a_crawl_does_not_overflow():
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())  # the kernel's cap on any backlog
    with start_in_thread(AS_OF) as portal:
        backlog = listen_backlog(portal._server.socket)
    assert backlog == min(LISTEN_BACKLOG, somaxconn) and backlog >= min(128, somaxconn)


def test_robots_txt_asks_for_the_crawl_delay_it_was_given():
    with start_in_thread(AS_OF, crawl_delay=0.25) as paced, start_in_thread(AS_OF) as plain:
        asked = urllib.request.urlopen(paced.base_url + "/robots.txt", timeout=10).read().decode()
        default = urllib.request.urlopen(plain.base_url + "/robots.txt", timeout=10).read().decode()
    assert "Crawl-delay: 0.25" in asked and "Disallow: /search" in asked
    assert "Crawl-delay" not in default
