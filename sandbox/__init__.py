"""Run untrusted Python (with numpy and PyTorch) in isolated, pre-warmed, forked processes.

Callers build a ``Job`` and run it with ``get_client().run(job)``; see docs/sandbox.md.
"""

from sandbox.client import SandboxClient, SandboxUnavailable
from sandbox.codec import CodecError
from sandbox.job import STATUSES, Call, ErrorInfo, Job, JobResult, Status
from sandbox.limits import Limits
from sandbox.local_server import get_client

__all__ = [
    "STATUSES",
    "Call",
    "CodecError",
    "ErrorInfo",
    "Job",
    "JobResult",
    "Limits",
    "SandboxClient",
    "SandboxUnavailable",
    "Status",
    "get_client",
]
