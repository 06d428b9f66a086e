"""Instructor forms: the paper form's errors sit next to their fields; retiring a variant
offers Undo right in its success notice."""

from __future__ import annotations

import re

import pytest

from exams import services
from exams.models import Variant
from frontend.forms import PaperForm


@pytest.mark.django_db
def test_the_paper_form_orders_items_and_names_each_problem(demo_question):
    slug = demo_question.slug
    form = PaperForm({"title": "Quiz", f"order_{slug}": "1", f"marks_{slug}": "2.5"},
                     questions=[demo_question])  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.items() == [(demo_question, form.cleaned_data[f"marks_{slug}"])]
    missing = PaperForm({"title": "Quiz", f"order_{slug}": "1"}, questions=[demo_question])
    assert not missing.is_valid()
    assert missing.errors == {
        f"marks_{slug}": ["Give the marks this question is worth on the paper."]
    }
    none = PaperForm({"title": ""}, questions=[demo_question])
    assert not none.is_valid()
    assert none.errors["title"] == ["Give the paper a title."]
    assert "Choose at least one question" in none.non_field_errors()[0]
    bad_order = PaperForm({"title": "Q", f"order_{slug}": "first"}, questions=[demo_question])
    assert bad_order.errors[f"order_{slug}"] == [
        "The order must be a whole number (1 = first), or empty."
    ]


@pytest.mark.django_db
def test_the_paper_page_shows_the_error_beside_the_marks_field(client, course, instructor):
    client.force_login(instructor)
    page = client.post(
        f"/instructor/courses/{course.slug}/papers/new/",
        {"title": "Mock", "order_demo-linear-neuron": "1", "marks_demo-linear-neuron": "-1"},
    ).content.decode()
    row = re.search(r'name="marks_demo-linear-neuron".*?</td>', page, re.S).group(0)
    assert "Give positive marks below" in row and 'aria-invalid="true"' in row


@pytest.mark.django_db
def test_the_retire_notice_offers_undo(client, course, instructor, student, demo_question):
    attempt = services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    variant = services.attempt_variant(attempt=attempt)
    client.force_login(instructor)
    base = f"/instructor/courses/{course.slug}/variants/"
    listing = client.get(client.post(f"{base}{variant.pk}/retire/", {"confirm": "on"})["Location"])
    text = listing.content.decode()
    notice = re.search(r'<div class="messages undo-notice" role="status">.*?</div>', text, re.S)
    assert notice is not None
    assert "held by 1 attempt of 1 student" in notice.group(0)
    assert f'action="{base}{variant.pk}/restore/"' in notice.group(0) and ">Undo<" in notice.group(
        0
    )
    # Shown once: a reload no longer offers it (the row's Restore button stays).
    assert "undo-notice" not in client.get(base).content.decode()
    client.post(f"{base}{variant.pk}/restore/")
    assert not Variant.objects.get(pk=variant.pk).retired


ODD = ["1e999999", "1e400", "NaN", "Infinity", "-Infinity", "9" * 40, "-" + "9" * 40]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["time_limit_minutes", "order", "marks"])
@pytest.mark.parametrize("value", ODD)
def test_absurd_numbers_on_the_paper_form_are_errors_beside_the_field(
    client, course, instructor, field, value
):
    slug = "demo-linear-neuron"
    data = {"title": "Mock", f"order_{slug}": "1", f"marks_{slug}": "2", "time_limit_minutes": ""}
    name = field if field == "time_limit_minutes" else f"{field}_{slug}"
    data[name] = value
    client.force_login(instructor)
    response = client.post(f"/instructor/courses/{course.slug}/papers/new/", data)
    if field == "order" and value == "9" * 40:
        # A huge order number is still just "last": the paper is made.
        assert response.status_code == 302
        return
    assert response.status_code == 200  # the form again, the error beside the field
    assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', response.content.decode())
