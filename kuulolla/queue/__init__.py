"""One-to-one support chat with a queue: topics, waiting, conversations, the helper
console. Rules in logic.py, tables in models.py. Database work: topics.py (topics),
service.py (the queue's load and status, a conversation's room), waiting.py (the
visitor's side and the sweep), feedback.py, return_codes.py; for helpers console.py
(duty, the console's view), accepting.py (the atomic accept), conversation.py (notes,
ending, transfers, a professional asked in) and canned.py (canned responses);
coordinators' changes in manage.py. HTTP in routes.py (visitor), routes_console.py
(helpers), routes_manage.py and routes_feedback.py (coordinators)."""
