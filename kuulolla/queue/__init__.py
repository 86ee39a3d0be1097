"""One-to-one support chat with a queue: topics, waiting, conversations, the helper
console. Rules in logic.py, tables in models.py; database work in topics.py (topics),
service.py (the queue's load and status, a conversation's room), waiting.py (the
visitor's side and the sweep), feedback.py, return_codes.py and console.py (the
helper's side); HTTP in routes.py (visitor) and routes_console.py (helpers)."""
