"""The LTI-linked course and simulated platform of tests/lti_grades, for worker tests."""

from tests.lti_grades.conftest import launched_attempt, link, platform  # noqa: F401
