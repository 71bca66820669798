"""The audit trail nobody can rewrite: the hash chain and its signed seals, checkpoints kept
outside the database, each escalation's entries replayed through its workflow version, and the
access log of who looked at what."""
