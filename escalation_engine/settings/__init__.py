"""config.yaml read into typed settings: the database, the workflows folder, the calendar, the
people, notifications, the worker, the trail's keys and the server.

Kept light on purpose (nothing is imported here), so that a client command loading only the
parts it needs does not pay for the rest.
"""
