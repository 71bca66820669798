"""People's actions on an escalation, each defined once in a module of its own (its command and
inputs, its event, what it does, where it may lead, its words), and the catalogue that names
them all (``catalogue.py``)."""
