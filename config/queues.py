"""Celery queues by kind of work, so a burst of one kind never delays another.

A worker consumes the queues it is started with (`celery -A config worker -Q marking,sweeper`);
every queue needs at least one worker. `make run` starts one worker per group of
`WORKER_GROUPS`; docker-compose runs one service per group (docs/operations.md).
"""

from __future__ import annotations

MARKING = "marking"
"""Submissions without code parts: numbers, choices, formulas (milliseconds each)."""
CODE = "code"
"""Submissions with a code part: their tests run in the sandbox (tens of milliseconds)."""
VARIANTS = "variants"
"""Building variants (the question's code run in the sandbox) before students need them."""
PASSBACK = "passback"
"""LTI grade passback and webhook deliveries: calls to other servers that may be slow."""
SWEEPER = "sweeper"
"""The periodic sweeps (stale submissions, recovery, due passbacks, timed exams) and regrade
jobs: the recovery path, kept apart so a burst never holds it back."""

ALL = (MARKING, CODE, VARIANTS, PASSBACK, SWEEPER)

WORKER_GROUPS: tuple[tuple[str, ...], ...] = ((MARKING, SWEEPER, PASSBACK), (CODE, VARIANTS))
"""The queues each worker started by `make run` consumes: one group per worker process pool."""

TASK_ROUTES: dict[str, dict[str, str]] = {
    "exams.tasks.requeue_stale_submissions": {"queue": SWEEPER},
    "exams.tasks.recover_failed_submissions": {"queue": SWEEPER},
    "lti_grades.tasks.refresh_attempt_passbacks": {"queue": PASSBACK},
    "lti_grades.tasks.send_score_passback": {"queue": PASSBACK},
    "lti_grades.tasks.sweep_score_passbacks": {"queue": SWEEPER},
    "webhooks.tasks.send_delivery": {"queue": PASSBACK},
    "webhooks.tasks.send_due_deliveries": {"queue": SWEEPER},
    "autosave.tasks.close_sitting_at_time_up": {"queue": SWEEPER},
    "autosave.tasks.autosubmit_due_sittings": {"queue": SWEEPER},
    "regrades.tasks.run_regrade_job": {"queue": SWEEPER},
    "regrades.tasks.resume_regrade_jobs": {"queue": SWEEPER},
    "exams.tasks.build_variant": {"queue": VARIANTS},
}
"""Where each task goes. `exams.tasks.grade_submission` is sent to MARKING or CODE by
`exams.services.submissions.grading_enqueue`, which knows whether the question has code."""
