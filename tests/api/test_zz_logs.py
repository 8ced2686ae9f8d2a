"""After the whole suite: no log line holds a token or a password."""
import os

from lib import SECRETS, VAR


def test_logs_hold_no_token_or_password():
    assert len(SECRETS) > 10, "the suite should have handled tokens"
    secrets = set(SECRETS) | {"demo123"}
    logdir = os.path.join(VAR, "log")
    checked = 0
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name), "rb") as f:
            text = f.read()
        checked += len(text)
        for s in secrets:
            assert s.encode() not in text, f"{name} holds a secret ({s[:6]}...)"
        assert b"Bearer " not in text, f"{name} holds an Authorization header"
    assert checked > 0
