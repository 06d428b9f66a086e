"""Readers that turn answer text into values, or raise AnswerFormatError."""
