"""Input serializers; output is built by exams.presentation."""

from rest_framework import serializers


class AttemptCreateInput(serializers.Serializer):
    question = serializers.SlugField(help_text="Slug of the question to practise.")


class SubmissionCreateInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question answered."
    )
    answers = serializers.JSONField(help_text='Answer text per part label, e.g. {"a": "0.81"}.')


class VisibleTestsRunInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question."
    )
    part = serializers.CharField(help_text="Label of the code part.")
    source = serializers.JSONField(help_text="The draft source code, as a string.")


class VisibleTestDetailOutput(serializers.Serializer):
    name = serializers.CharField()
    visibility = serializers.CharField()
    passed = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    message = serializers.CharField(allow_blank=True)
    hints = serializers.ListField(child=serializers.CharField())


class VisibleTestsRunOutput(serializers.Serializer):
    """What a run of the visible tests reports: their points only, never a mark of the part."""

    part = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["visible_tests_passed", "visible_tests_failed", "format_error"]
    )
    visible_points = serializers.FloatField(help_text="Points earned on the visible tests.")
    visible_max_points = serializers.FloatField(help_text="Points the visible tests are worth.")
    feedback = serializers.CharField(allow_blank=True)
    details = VisibleTestDetailOutput(many=True)


class SolutionRevealInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question."
    )
