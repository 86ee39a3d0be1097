"""One-to-one support chat with a queue: topics, waiting, conversations, the helper
console. Rules in logic.py, tables in models.py, database work in service.py and
console.py, HTTP in routes.py (visitor) and routes_console.py (helpers)."""
