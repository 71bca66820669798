"""The long-running worker (``escalate run``): APScheduler's sweep and wake-up at the nearest
deadline, and the delivery of notifications with retries."""
