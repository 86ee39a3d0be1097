"""Question-and-answer archive: asking, triage, answering, review, publishing and
Finnish search."""
