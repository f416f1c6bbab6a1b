"""Page builders: what a page shows, computed from the store through the queries; no request parsing
and no responses here (the routes do that)."""
