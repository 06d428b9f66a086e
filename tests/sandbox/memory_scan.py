"""Source of a job that scans every readable byte of its own process for markers.

The job has no /proc, so it finds its mappings itself: ``mmap(MAP_FIXED_NOREPLACE)`` of a
range succeeds only when nothing there is mapped, and ``mincore`` succeeds only when all of
it is, so bisecting the user address space finds every mapping (heap, anonymous mappings,
arenas, stacks, libraries) in a few thousand calls. Each mapped range is copied through a
pipe: the kernel reads the memory, so an unreadable page is an EFAULT, not a crash.

The markers are never passed in: the job gets their SHA-256 digests and hashes every
``MARKER_LENGTH``-byte run that starts with ``MARKER_PREFIX``, so it holds a marker only if
its memory already did. The controls it plants itself prove the scan covers the Python
object heap (an argument), an anonymous mapping and the malloc heap.
"""

MARKER_PREFIX = "tgmk"
MARKER_LENGTH = 32

SCAN_JOB = '''
import ctypes
import errno
import fcntl
import hashlib
import mmap
import os

PREFIX = PREFIX_BYTES
LENGTH = MARKER_LENGTH
PAGE = mmap.PAGESIZE
LOW, HIGH = 1 << 16, (1 << 47) - PAGE
MINCORE_MAX = 1 << 30
CHUNK = 1 << 20
PROT_NONE, MAP_PRIVATE, MAP_ANONYMOUS = 0, 0x02, 0x20
MAP_NORESERVE, MAP_FIXED_NOREPLACE = 0x4000, 0x100000
F_SETPIPE_SZ = 1031

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
FAILED = ctypes.c_void_p(-1).value


def nothing_mapped(start, length):
    flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE
    address = libc.mmap(start, length, PROT_NONE, flags, -1, 0)
    if address in (None, FAILED):
        return False
    libc.munmap(address, length)
    return address == start


def all_mapped(start, length):
    if length > MINCORE_MAX:
        return False
    vector = ctypes.create_string_buffer(length // PAGE)
    return libc.mincore(start, length, vector) == 0


def mappings():
    found, pending = [], [(LOW, HIGH)]
    while pending:
        start, end = pending.pop()
        length = end - start
        if nothing_mapped(start, length):
            continue
        if all_mapped(start, length):
            found.append((start, end))
            continue
        if length == PAGE:
            continue
        middle = start + (length // PAGE // 2) * PAGE
        pending += [(middle, end), (start, middle)]
    return sorted(found)


def readable_bytes(start, end, pipe_in, pipe_out):
    """Copies of [start, end) in pieces, skipping pages the kernel cannot read."""
    position = start
    while position < end:
        size = min(CHUNK, end - position)
        try:
            written = os.write(pipe_in, (ctypes.c_char * size).from_address(position))
        except OSError as exc:
            if exc.errno != errno.EFAULT:
                raise
            position += PAGE
            continue
        data = bytearray()
        while len(data) < written:
            data += os.read(pipe_out, written - len(data))
        yield position, bytes(data)
        position += written


def found_digests(digests):
    pipe_out, pipe_in = os.pipe()
    try:
        fcntl.fcntl(pipe_in, F_SETPIPE_SZ, CHUNK)
    except OSError:
        pass
    found, scanned, ranges = set(), 0, mappings()
    for start, end in ranges:
        tail, tail_at = b"", start
        for position, data in readable_bytes(start, end, pipe_in, pipe_out):
            if position != tail_at:
                tail = b""
            window = tail + data
            index = window.find(PREFIX)
            while index != -1:
                candidate = window[index:index + LENGTH]
                if len(candidate) == LENGTH:
                    digest = hashlib.sha256(candidate).hexdigest()
                    if digest in digests:
                        found.add(digest)
                index = window.find(PREFIX, index + 1)
            tail, tail_at = window[-(LENGTH - 1):], position + len(data)
            scanned += len(data)
    return sorted(found), scanned, len(ranges)


def plant(buffer, reversed_marker):
    """Write a marker into ``buffer`` byte by byte, so no whole copy exists anywhere else."""
    for index, value in enumerate(reversed(reversed_marker.encode())):
        buffer[index] = value


def scan(digests, heap_control, anonymous_control_reversed, malloc_control_reversed):
    anonymous = mmap.mmap(-1, 4 << 20)
    plant(anonymous, anonymous_control_reversed)
    from_malloc = ctypes.create_string_buffer(256)
    plant(from_malloc, malloc_control_reversed)
    found, scanned, ranges = found_digests(set(digests))
    assert heap_control.startswith(PREFIX.decode())
    return {"found": found, "scanned_bytes": scanned, "ranges": ranges}
'''.replace("PREFIX_BYTES", repr(MARKER_PREFIX.encode())).replace(
    "MARKER_LENGTH", str(MARKER_LENGTH)
)
