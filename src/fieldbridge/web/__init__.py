"""HTTP: the broker's doors (trigger URL, Field Nation webhooks), the admin API, health and metrics."""
