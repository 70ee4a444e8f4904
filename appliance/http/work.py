"""Request-side CPU work (password hashes, PDFs, JPEGs, decoding photos) on the appliance's named work threads."""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from appliance import keys

T = TypeVar("T")


async def off_loop(request: web.Request, fn: Callable[..., T], *args, **kwargs) -> T:
    """Run fn on the work threads: the event loop keeps serving while a hash or a PDF is computed."""
    return await asyncio.get_running_loop().run_in_executor(request.config_dict[keys.WORK],
                                                            functools.partial(fn, *args, **kwargs))
