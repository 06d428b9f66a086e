"""Answers saved as they are typed, and timed exam sittings closed by the server at time up."""
