"""System checks: configuration problems reported with stable ids and a hint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.checks.registry import registry

import question_engine

BANK_CHECK_TAG = "bank"


@register(BANK_CHECK_TAG)
def check_bank_questions(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """bank.E001: every question folder under settings.BANK_ROOT loads."""
    try:
        question_engine.discover_questions(settings.BANK_ROOT)
    except question_engine.BankError as exc:
        return [
            Error(
                f"A question in the bank does not load: {exc}",
                hint="Fix the file named above, then run `python manage.py bank validate`.",
                id="bank.E001",
            )
        ]
    return []


@register("deploy", deploy=True)
def check_broker_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """exams.W001: production should name its broker explicitly."""
    if "127.0.0.1" in settings.CELERY_BROKER_URL:
        return [
            Warning(
                "CELERY_BROKER_URL points at a Redis on this host.",
                hint="Set CELERY_BROKER_URL to the Redis every worker and web host shares.",
                id="exams.W001",
            )
        ]
    return []


def tags_without_bank_check() -> list[str]:
    """Every registered system-check tag but the bank's: what `bank` and `grade` run, so that
    one question that does not load never stops them (they load only the questions they are
    asked about and report what is wrong)."""
    return sorted(registry.tags_available() - {BANK_CHECK_TAG})
