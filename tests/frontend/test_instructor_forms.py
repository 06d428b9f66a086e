"""Instructor forms: the paper form's errors sit next to their fields; retiring a variant
offers Undo right in its success notice."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Question, Variant
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
def test_two_questions_with_one_order_number_are_refused_beside_both_rows(
    client, course, instructor
):
    slug = "seed000-q1-multiple-choice"
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
    other = Question.objects.get(slug=slug)
    course.questions.add(other)
    data = {
        "title": "Mock",
        "order_demo-linear-neuron": "1",
        "marks_demo-linear-neuron": "2",
        f"order_{slug}": "1",
        f"marks_{slug}": "3",
    }
    demo = Question.objects.get(slug="demo-linear-neuron")
    form = PaperForm(data, questions=[demo, other])
    assert not form.is_valid()
    assert form.errors[f"order_{slug}"] == [
        f"Order 1 is also given to “{demo.title}”: give each question its own order number."
    ]
    assert form.errors["order_demo-linear-neuron"] == [
        f"Order 1 is also given to “{other.title}”: give each question its own order number."
    ]
    assert PaperForm({**data, f"order_{slug}": "2"}, questions=[demo, other]).is_valid()
    client.force_login(instructor)
    page = client.post(f"/instructor/courses/{course.slug}/papers/new/", data).content.decode()
    for name in ("demo-linear-neuron", slug):
        row = re.search(rf'name="order_{name}".*?</td>', page, re.S).group(0)
        assert "Order 1 is also given to" in row and 'aria-invalid="true"' in row
    assert not course.papers.exists()


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
    restored = client.post(f"{base}{variant.pk}/restore/", follow=True).content.decode()
    assert not Variant.objects.get(pk=variant.pk).retired
    assert (
        f"Restored {demo_question.title}, seed {variant.seed}: new attempts may draw it again."
        in restored.replace("&#x27;", "'")
    )
    assert demo_question.slug not in re.search(r"Restored [^<]*", restored).group(0)


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
