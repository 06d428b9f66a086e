"""`manage.py check --deploy` warns when webhooks may reach private addresses in production."""

from __future__ import annotations

from webhooks.checks import check_private_targets_refused


def test_private_targets_allowed_without_debug_is_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    (warning,) = check_private_targets_refused()
    assert warning.id == "webhooks.W001"


def test_no_warning_when_refused_or_under_debug(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    assert check_private_targets_refused() == []
    settings.DEBUG = True
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert check_private_targets_refused() == []
