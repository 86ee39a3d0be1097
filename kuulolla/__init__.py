"""Kuulolla: peer-support chat, support queue and Q&A archive for Finnish organisations."""

__version__ = "0.1.0"
