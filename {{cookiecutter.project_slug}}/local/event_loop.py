"""asyncio's debug mode as a test tool: the steps of a coroutine that held the event loop.

A blocked loop stalls every message of the batch. In debug mode asyncio logs each callback (one
step of a coroutine) that holds the loop longer than ``slow_callback_duration``. The threshold
here is generous, so a busy CI machine does not trip it, yet a blocking call (a synchronous
HTTP request, a CPU job) does.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

THRESHOLD_SECONDS = 0.25


def slow_callbacks(
    main: Callable[[], Awaitable[object]], caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Run ``main()`` on a new loop in debug mode; return asyncio's slow-callback reports."""
    loop = asyncio.new_event_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = THRESHOLD_SECONDS
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Executing")]
