"""Messages between a slot supervisor and its templates: one JSON object per SOCK_SEQPACKET
packet, with file descriptors attached (SCM_RIGHTS). No job data ever travels here."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from typing import Any

MAX_MESSAGE_BYTES = 1 << 16
MAX_FDS = 4


class ControlError(RuntimeError):
    """A control message was truncated, malformed, or carried unexpected descriptors."""


def control_pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair of packet sockets (message boundaries kept, end of stream seen)."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


def send_message(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send ``message`` (JSON-ready) and duplicates of ``fds``; raises OSError if the peer left."""
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ControlError(f"control message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def recv_message(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    """The next message and the descriptors it carried (now owned by the caller), or None once
    the peer has closed its end. Raises ControlError (closing any received fds) on a bad one."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE_BYTES, MAX_FDS)
    for fd in fds:
        os.set_inheritable(fd, False)
    try:
        if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            raise ControlError("control message truncated")
        if not data and not fds:
            return None
        try:
            message = json.loads(data)
        except ValueError as exc:
            raise ControlError(f"control message is not JSON: {exc}") from None
        if type(message) is not dict:
            raise ControlError("control message is not a JSON object")
    except ControlError:
        for fd in fds:
            os.close(fd)
        raise
    return message, fds
