"""frontend.E002: the system check that the code editor's bundle has been built."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from frontend import checks


def test_the_built_bundle_passes():
    assert checks.check_editor_bundle() == []


def test_a_missing_bundle_is_an_error_saying_how_to_build_it(monkeypatch):
    monkeypatch.setattr(checks, "EDITOR_BUNDLE", "frontend/build/no-such-bundle.js")
    (error,) = checks.check_editor_bundle()
    assert error.id == "frontend.E002"
    assert "make install" in error.hint
    with pytest.raises(SystemCheckError, match="frontend.E002"):
        call_command("check")
    # collectstatic runs only the staticfiles checks: an image can collect before it builds.
    call_command("collectstatic", "--dry-run", "--noinput", verbosity=0)
