"""Setting a connector up: the rules the admin API and the commands share, the connection test, Refresh
Fields, and setup as code (`fieldbridge apply` / `fieldbridge export`)."""
