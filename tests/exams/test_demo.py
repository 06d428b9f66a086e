"""The demo content: course, accounts, the bank and one practice paper per seed exam."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from exams.demo import PAPERS_FILE, demo_content_load
from exams.models import Attempt, Paper, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path):
    return demo_content_load(credentials_file=tmp_path / "credentials.json")


def test_demo_load_is_idempotent_and_keeps_passwords(demo, tmp_path):
    again = demo_content_load(credentials_file=tmp_path / "credentials.json")
    assert again.passwords == demo.passwords
    assert all(outcome.action == "unchanged" for outcome in again.synced)
    for username, password in demo.passwords.items():
        login = RequestFactory().post("/login/")
        assert authenticate(login, username=username, password=password) is not None


def test_every_seed_exam_has_a_paper_with_its_questions_in_order(demo):
    import tomllib

    specs = tomllib.loads(PAPERS_FILE.read_text())["papers"]
    papers = {paper.slug: paper for paper in Paper.objects.filter(course=demo.course)}
    assert set(papers) == {spec["slug"] for spec in specs}
    for spec in specs:
        questions = [item.question for item in papers[spec["slug"]].items.all()]
        assert questions, spec["slug"]
        assert all(spec["seed_file"] in q.source for q in questions)
    slugs = [i.question.slug for i in papers["nndl-2023-s1-key-a"].items.all()]
    assert slugs == [
        "seed002-q1-short-answers",
        "seed002-q2-mlp-forward-backward",
        "seed002-q3-conv-params-flops",
        "seed002-q4-rnn-posenc",
        "code-positional-encoding",
    ]


@pytest.mark.parametrize("mode", ["practice", "exam"])
def test_a_student_can_open_every_seed_paper(demo, client, mode):
    client.post("/login/", {"username": "student", "password": demo.passwords["student"]})
    home = client.get("/").content.decode()
    for paper in Paper.objects.filter(course=demo.course):
        assert paper.title in home
        response = client.post(
            f"/courses/{demo.course.slug}/papers/{paper.slug}/start/", {"mode": mode}, follow=True
        )
        assert response.status_code == 200, paper.slug
        page = response.content.decode()
        assert page.count('class="answer-form"') == paper.items.count()
    assert Attempt.objects.filter(mode=mode).count() == Paper.objects.count()
    assert Question.objects.count() >= 20
