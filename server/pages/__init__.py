"""Page builders: what a page shows, computed from the store through the queries; no request parsing
and no responses here (the routes do that). They are pure functions of their parameters: the
`CityKG` (``kg``), the `UrlMapper` (``urls``) and the request's values; no Flask (an import contract
in pyproject.toml)."""
