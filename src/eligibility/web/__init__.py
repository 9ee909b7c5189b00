"""The explorer (`eligibility serve`): a local web app over the same stages as the command line.

`links` turns what a page shows into the query of its address and back, `pages` writes the
HTML (plain strings, every user string escaped), and `app` is the only module that talks to
FastAPI, Starlette and uvicorn.
"""
