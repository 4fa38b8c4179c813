"""What the PostgreSQL tests of tests/pg share."""

# An endpoint that is never reached (port 1): what the tests look at is the outbox,
# where a handoff.opened is enqueued with the replay that opened the handoff, once.
WEBHOOK = """
webhooks:
  - url: http://127.0.0.1:1/hook
    secret_env: LF_TEST_HOOK_SECRET
    events: [handoff.opened]
    max_age: 36500d
"""
