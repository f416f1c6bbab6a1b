"""The default seeds (the Nanchang profile and its sidecar), installed as package data:
`citykg build` uses them when no --seeds folder is given and ./seeds does not exist."""
