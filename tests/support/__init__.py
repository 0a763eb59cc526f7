"""What tests in more than one package use: the emulators served on loopback, the broker app served, a
webhook receiver, an SMTP server, the test services, a migrated SQLite store to copy, and polling with a
deadline. Fixtures stay in the conftest files; the classes and helpers they build on live here."""
