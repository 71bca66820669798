"""The pure rules of an escalation: working days, deadlines, the state machine, routing, the read
rules, what each action and each due item does, and the words people read.

Nothing here touches a database, a file, the network or the wall clock: each function is handed
the calendar, the people and the moment it works with, so every rule can be tested on its own.
"""
