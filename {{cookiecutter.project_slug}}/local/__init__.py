"""Development-only stand-ins for AWS and the target, used by `make run` and the tests.

Nothing here is deployed: SAM packages src/ only.
"""
