"""`indicators serve`: the reviewer's workbench in the browser and the same as an HTTP API
(the `web` extra: FastAPI, uvicorn, python-multipart). extractor.web.app holds the routes,
extractor.web.worker the worker processes and limits, static/ the page (no build step, no
outside resources)."""
