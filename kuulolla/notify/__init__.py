"""Staff notifications by e-mail (optional, through SMTP): each person's address and
whether they want crisis escalations at once or as a digest."""
