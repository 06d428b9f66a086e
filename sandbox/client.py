"""Trusted-side client: send a Job to a sandbox server over its Unix socket, get a JobResult."""

from __future__ import annotations

import os
import socket

from sandbox.framing import FrameError, FrameReader, recv_frame, send_frame
from sandbox.job import Job, JobResult

SOCKET_ENV = "SANDBOX_SOCKET"
CONNECT_TIMEOUT_S = 5.0
RESPONSE_MARGIN_S = 30.0
# How long a job may wait for a free slot (jobs queue when all workers are busy). Kept well
# under a grading lease (GRADING_LEASE_S, 600 s) even with the retries of
# question_engine.sandbox_jobs, so a hung sandbox turns into a failure of ours that the
# grading lifecycle retries, not a worker blocked past its lease.
QUEUE_TIMEOUT_S = 120.0
FRAME_OVERHEAD_BYTES = 4 * 1024 * 1024


class SandboxUnavailable(RuntimeError):
    """The sandbox server could not be reached or answered nonsense; the job did not run."""


class _NotAccepted(Exception):
    """The connection failed before the server confirmed it had taken the job."""


class SandboxClient:
    """Thread-safe client; every ``run`` opens its own connection."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path

    def _connect(self, timeout: float) -> socket.socket:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(CONNECT_TIMEOUT_S)
        try:
            connection.connect(self.socket_path)
        except OSError as exc:
            connection.close()
            raise SandboxUnavailable(
                f"cannot connect to the sandbox server at {self.socket_path}: {exc}; "
                f"start it with `python -m sandbox serve --socket {self.socket_path}`"
            ) from None
        connection.settimeout(timeout)
        return connection

    def ping(self) -> bool:
        """True if a server answers on the socket."""
        try:
            with self._connect(CONNECT_TIMEOUT_S) as connection:
                send_frame(connection, {"kind": "ping"})
                header, _ = recv_frame(connection, 1024)
        except (SandboxUnavailable, FrameError, OSError):
            return False
        return header.get("kind") == "pong"

    def run(self, job: Job, *, queue_timeout_s: float = QUEUE_TIMEOUT_S) -> JobResult:
        """Run ``job``; raises CodecError for unsendable inputs, SandboxUnavailable if down.

        ``queue_timeout_s`` bounds the wait for a free slot (seconds); a job no slot took by
        then raises SandboxUnavailable (a person waiting on a page wants a short bound, a
        worker the long default). A connection lost before the server accepted the job (say,
        a slot process restarting) is retried once: the job cannot have started, so running it
        again is safe.
        """
        header, blobs = job.to_wire()
        try:
            return self._exchange(job, header, blobs, queue_timeout_s)
        except _NotAccepted:
            pass
        try:
            return self._exchange(job, header, blobs, queue_timeout_s)
        except _NotAccepted as exc:
            raise SandboxUnavailable(str(exc)) from None

    def _exchange(
        self, job: Job, header: dict, blobs: list[bytes], queue_timeout_s: float
    ) -> JobResult:
        limits = job.limits
        max_response = limits.max_return_bytes + 2 * limits.max_output_bytes + FRAME_OVERHEAD_BYTES
        reader = FrameReader(max_response)
        with self._connect(queue_timeout_s) as connection:
            try:
                send_frame(connection, header, blobs)
                response, response_blobs = recv_frame(connection, max_response, reader)
            except TimeoutError:
                raise SandboxUnavailable(
                    f"no sandbox slot at {self.socket_path} took the job within "
                    f"{queue_timeout_s:g} s (all busy, or the server is hung)"
                ) from None
            except (FrameError, OSError) as exc:
                raise _NotAccepted(
                    f"the sandbox server at {self.socket_path} did not take the job: {exc}"
                ) from None
            if response.get("kind") == "accepted":
                connection.settimeout(limits.wall_time_s + RESPONSE_MARGIN_S)
                try:
                    response, response_blobs = recv_frame(connection, max_response, reader)
                except (FrameError, OSError) as exc:
                    raise SandboxUnavailable(
                        f"the sandbox server at {self.socket_path} did not answer: {exc}"
                    ) from None
        if response.get("kind") == "invalid_request":
            raise ValueError(f"sandbox server rejected the job: {response.get('message')}")
        try:
            return JobResult.from_wire(response, response_blobs)
        except ValueError as exc:
            raise SandboxUnavailable(f"the sandbox server sent a malformed result: {exc}") from None


def socket_from_environment() -> str | None:
    return os.environ.get(SOCKET_ENV) or None
