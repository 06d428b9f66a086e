"""Choice parts as choices: options in the variant's public parts and radio buttons or
checkboxes on the attempt page, ticked as the last saved answer says."""

from __future__ import annotations

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question
from exams.presentation import variant_public
from frontend.templatetags.answer_controls import chosen, status_text

SLUG = "seed001-q1-mcq-ssl-generative"


@pytest.fixture
def choice_question(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SLUG))
    question = Question.objects.get(slug=SLUG)
    course.questions.add(question)
    return question


@pytest.mark.django_db
def test_choice_and_multi_parts_carry_the_options_the_variant_shows(
    course, student, choice_question
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=choice_question
    )
    variant = services.attempt_variant(attempt=attempt)
    parts = variant_public(variant)["parts"]
    assert {part["kind"] for part in parts} == {"multi", "choice"}
    for part in parts:
        values = [option["value"] for option in part["options"]]
        assert values == ["a", "b", "c", "d"]
        assert [option["key"] for option in part["options"]] == ["(a)", "(b)", "(c)", "(d)"]
        for option in part["options"]:
            assert option["text_html"] and not option["text_html"].startswith("<p>")
            assert option["text_html"] in question_engine.render_markdown(variant.statement_md)


@pytest.mark.django_db
def test_the_attempt_page_shows_radio_buttons_and_checkboxes_with_a_legend(
    client, course, student, choice_question
):
    client.force_login(student)
    client.get(f"/courses/{course.slug}/questions/{SLUG}/")
    attempt = Attempt.objects.get(student=student)
    services.submission_create(attempt=attempt, student=student, answers={"ssl": "b, d"})
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert page.count('type="checkbox" name="answer_ssl"') == 4
    assert page.count('type="radio" name="answer_nerf"') == 4
    assert 'name="answer_ssl" value="b" checked' in page
    assert 'name="answer_ssl" value="d" checked' in page
    assert 'name="answer_ssl" value="a" checked' not in page
    assert "Tick every option that applies for part 1a</legend>" in page
    assert 'type="text"' not in page
    assert page.count("Save and mark this part") == 4
    assert page.count('class="primary"') == 1


def test_saved_answers_tick_the_options_they_name():
    assert chosen("(B)", "b") and chosen("a, c", "c") and not chosen("a, c", "b")
    assert chosen("T", "true") and chosen("no", "false") and not chosen("", "a")
    assert chosen("d", "D") and status_text("partially_correct") == "partially correct"


@pytest.mark.django_db
def test_the_form_fallback_joins_ticked_checkboxes(client, course, student, choice_question):
    client.force_login(student)
    client.get(f"/courses/{course.slug}/questions/{SLUG}/")
    attempt = Attempt.objects.get(student=student)
    client.post(
        f"/attempts/{attempt.pk}/submit/",
        {"question": SLUG, "answer_ssl": ["a", "c"], "answer_nerf": "b"},
    )
    assert attempt.submissions.get().answers["ssl"] == "a, c"
