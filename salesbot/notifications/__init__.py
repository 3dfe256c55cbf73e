"""In-app notifications, with e-mail and Slack delivery when configured."""
