"""Development-only stand-ins for AWS and the target, used by `make run` and the tests, and the
project's own tools (`make smoke`, `make regenerate`).

Nothing here is deployed: SAM packages src/ only.
"""
