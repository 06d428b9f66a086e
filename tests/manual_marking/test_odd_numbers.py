"""Absurd numbers on the marking and self-assessment forms are form errors next to the
mark (never a 500 from the step check, which works in floats)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from exams import services as exam_services
from manual_marking.forms import ManualMarkForm
from manual_marking.models import ManualMark
from tests.manual_marking.conftest import TEXT_PART

ODD = ["1e999999", "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 40, "-" + "9" * 40]


@pytest.mark.parametrize("score", ODD)
def test_the_form_refuses_absurd_marks(score):
    form = ManualMarkForm({"score": score}, marks=Decimal(2))
    assert not form.is_valid()
    assert form.errors["score"]


def test_negative_zero_is_zero():
    form = ManualMarkForm({"score": "-0"}, marks=Decimal(2))
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["score"]) == "0"


@pytest.mark.django_db
@pytest.mark.parametrize("score", ODD)
def test_the_marking_page_shows_the_error_beside_the_mark(client, instructor, marked, score):
    client.force_login(instructor)
    url = reverse(
        "manual_marking:mark",
        kwargs={"course_slug": "nndl", "submission_id": marked.pk, "part_label": TEXT_PART},
    )
    page = client.post(url, {"score": score, "expected_mark": "9" * 40})
    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.content.decode()
    assert not ManualMark.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("score", ODD)
def test_self_assessment_says_what_was_wrong(client, practice, student, marked, score):
    exam_services.solution_reveal(attempt=practice, student=student)
    client.force_login(student)
    response = client.post(
        reverse("manual_marking:self-assessment", kwargs={"attempt_id": practice.pk}),
        {"submission": marked.pk, "part": TEXT_PART, "score": score},
        follow=True,
    )
    assert response.status_code == 200
    notices = [str(m) for m in response.context["messages"]]
    assert any(n.startswith("Part ") for n in notices), notices
    assert not ManualMark.objects.exists()
