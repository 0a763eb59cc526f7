"""Storage: tables, migrations, and the queries each part of the broker needs, one module per concern."""
