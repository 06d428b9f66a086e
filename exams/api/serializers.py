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


class SolutionRevealInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question."
    )
