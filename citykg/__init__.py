"""citykg: shared pieces of the build (kg) and the server (server).

Only small, dependency-light modules live here: the URI policy and namespaces
(`citykg.uris`), reading and verifying a release's manifest (`citykg.manifest`)
and the command line (`citykg.cli`).
"""

__version__ = "0.1.0"
