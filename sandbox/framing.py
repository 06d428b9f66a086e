"""Length-prefixed frames of a JSON header plus binary blobs over a stream socket or fd."""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Sequence
from typing import Any

_PREFIX = struct.Struct(">II")  # header length, number of blobs
_BLOB_LENGTH = struct.Struct(">Q")


class FrameError(ValueError):
    """A frame was truncated, oversized or not valid JSON."""


def pack_frame(header: dict[str, Any], blobs: Sequence[bytes] = ()) -> bytes:
    """Serialize one frame: prefix, JSON header, then each blob with its length."""
    body = json.dumps(header, separators=(",", ":")).encode()
    parts = [_PREFIX.pack(len(body), len(blobs)), body]
    for blob in blobs:
        parts.append(_BLOB_LENGTH.pack(len(blob)))
        parts.append(blob)
    return b"".join(parts)


class FrameReader:
    """Incrementally parses frames from bytes fed to it, refusing frames over ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer.extend(data)
        if len(self._buffer) > self.max_bytes:
            raise FrameError(f"frame exceeds {self.max_bytes} bytes")

    def next_frame(self) -> tuple[dict[str, Any], list[bytes]] | None:
        """Return and consume the next complete frame, or None if more bytes are needed."""
        buffer = self._buffer
        if len(buffer) < _PREFIX.size:
            return None
        header_length, blob_count = _PREFIX.unpack_from(buffer)
        offset = _PREFIX.size + header_length
        if offset > self.max_bytes:
            raise FrameError(f"frame header exceeds {self.max_bytes} bytes")
        if len(buffer) < offset:
            return None
        blob_spans: list[tuple[int, int]] = []
        for _ in range(blob_count):
            if len(buffer) < offset + _BLOB_LENGTH.size:
                return None
            (length,) = _BLOB_LENGTH.unpack_from(buffer, offset)
            offset += _BLOB_LENGTH.size
            if offset + length > self.max_bytes:
                raise FrameError(f"frame exceeds {self.max_bytes} bytes")
            blob_spans.append((offset, length))
            offset += length
        if len(buffer) < offset:
            return None
        try:
            header = json.loads(bytes(buffer[_PREFIX.size : _PREFIX.size + header_length]))
        except (ValueError, RecursionError) as exc:
            raise FrameError(f"frame header is not valid JSON: {exc}") from None
        if type(header) is not dict:
            raise FrameError("frame header must be a JSON object")
        blobs = [bytes(buffer[start : start + length]) for start, length in blob_spans]
        del buffer[:offset]
        return header, blobs


def send_frame(sock: socket.socket, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
    sock.sendall(pack_frame(header, blobs))


def write_frame_fd(fd: int, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
    """Write a whole frame to a raw fd (used by the job child, which has no socket object)."""
    data = memoryview(pack_frame(header, blobs))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def recv_frame(
    sock: socket.socket, max_bytes: int, reader: FrameReader | None = None
) -> tuple[dict[str, Any], list[bytes]]:
    """Block until one whole frame arrives; raise FrameError on EOF or an oversized frame.

    Pass the same ``reader`` for successive frames on one connection, so bytes of the next
    frame that arrived together with this one are kept.
    """
    reader = FrameReader(max_bytes) if reader is None else reader
    while True:
        frame = reader.next_frame()
        if frame is not None:
            return frame
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise FrameError("connection closed before a whole frame arrived")
        reader.feed(chunk)


def read_frame_fd(fd: int, max_bytes: int) -> tuple[dict[str, Any], list[bytes]]:
    """Like recv_frame, for a raw fd."""
    reader = FrameReader(max_bytes)
    while True:
        frame = reader.next_frame()
        if frame is not None:
            return frame
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise FrameError("channel closed before a whole frame arrived")
        reader.feed(chunk)
