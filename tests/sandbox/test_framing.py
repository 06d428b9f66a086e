import pytest

from sandbox.framing import FrameError, FrameReader, pack_frame


def test_frames_parse_when_fed_byte_by_byte():
    data = pack_frame({"kind": "x", "n": [1, 2]}, [b"abc", b""]) + pack_frame({"kind": "y"})
    reader = FrameReader(max_bytes=1000)
    frames = []
    for byte in data:
        reader.feed(bytes([byte]))
        while (frame := reader.next_frame()) is not None:
            frames.append(frame)
    assert frames == [({"kind": "x", "n": [1, 2]}, [b"abc", b""]), ({"kind": "y"}, [])]
    assert reader.buffered_bytes == 0


def test_oversized_frames_are_refused():
    reader = FrameReader(max_bytes=64)
    with pytest.raises(FrameError, match="exceeds 64 bytes"):
        reader.feed(pack_frame({"kind": "x"}, [b"x" * 100]))


def test_declared_blob_longer_than_limit_is_refused_early():
    frame = pack_frame({"kind": "x"}, [b"x" * 100])
    reader = FrameReader(max_bytes=80)
    reader.feed(frame[:40])
    with pytest.raises(FrameError):
        reader.next_frame()


def test_non_object_header_is_refused():
    import struct

    body = b"[1]"
    reader = FrameReader(max_bytes=100)
    reader.feed(struct.pack(">II", len(body), 0) + body)
    with pytest.raises(FrameError, match="JSON object"):
        reader.next_frame()
