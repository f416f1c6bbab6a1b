"""The routes: one blueprint per group of pages (docs/server.md). Each view reads the request,
asks a page builder (`citykg.server.pages`) or the store for what to show, and answers."""
