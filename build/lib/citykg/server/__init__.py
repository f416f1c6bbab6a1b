"""The citykg server: a Flask app over a published release (see docs/server.md)."""
