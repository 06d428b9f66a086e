"""Writes (HackSoft-style services), one module per entity; import them from here."""

from exams.services.attempts import (
    attempt_finish,
    attempt_start_or_resume,
    attempt_start_paper,
    attempt_start_question,
)
from exams.services.code_runs import code_visible_tests_run
from exams.services.enrolments import enrolment_remove, enrolment_upsert
from exams.services.papers import paper_create
from exams.services.submissions import (
    grading_enqueue,
    grading_queue,
    grading_worker_id,
    lease_heartbeat,
    submission_claim,
    submission_create,
    submission_grade,
    submission_mark,
    submission_remark,
    submission_submit,
    submissions_recover_due,
    submissions_regrade,
    submissions_relay_outbox,
    submissions_requeue_stale,
)
from exams.services.variant_artefacts import (
    variant_alternatives_store,
    variant_author_runs_ensure,
)
from exams.services.variants import (
    assignment_check_answerable,
    attempt_variant,
    original_numbers_check_visible,
    question_current_version,
    solution_reveal,
    variant_get_or_build,
    variant_restore,
    variant_retire,
)

__all__ = [
    "assignment_check_answerable",
    "attempt_finish",
    "attempt_start_or_resume",
    "attempt_start_paper",
    "attempt_start_question",
    "attempt_variant",
    "code_visible_tests_run",
    "enrolment_remove",
    "enrolment_upsert",
    "grading_enqueue",
    "grading_queue",
    "grading_worker_id",
    "lease_heartbeat",
    "original_numbers_check_visible",
    "paper_create",
    "question_current_version",
    "submission_claim",
    "solution_reveal",
    "submission_create",
    "submission_grade",
    "submission_mark",
    "submission_remark",
    "submission_submit",
    "submissions_regrade",
    "submissions_recover_due",
    "submissions_relay_outbox",
    "submissions_requeue_stale",
    "variant_alternatives_store",
    "variant_author_runs_ensure",
    "variant_get_or_build",
    "variant_restore",
    "variant_retire",
]
