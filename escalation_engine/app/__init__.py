"""What every door calls: the API's operations and routes, the read model and its sentences, and
the worker's status, shared by the CLI (in both modes), the JSON API and the desk.

Nothing is imported here, so a client loading ``app.routes`` does not load the database layer.
"""
