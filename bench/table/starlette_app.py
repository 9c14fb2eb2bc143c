"""Starlette's side of the benchmark table (the lean ASGI framework), served
by uvicorn with one worker. Jinja2Templates autoescapes every template, so
the page comes out as Flask renders it.

    BENCH_TEMPLATES=DIR BENCH_CONTEXT=FILE uvicorn starlette_app:app
"""
import asyncio
import json
import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

templates = Jinja2Templates(directory=os.environ["BENCH_TEMPLATES"])
with open(os.environ["BENCH_CONTEXT"]) as f:
    CONTEXT = json.load(f)


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def json_view(request):
    return JSONResponse({"message": "Hello, World!"})


async def sleep(request):
    await asyncio.sleep(0.1)
    return PlainTextResponse("slept")


async def template(request):
    return templates.TemplateResponse("orders.html", {"request": request, **CONTEXT})


app = Starlette(routes=[
    Route("/plaintext", plaintext),
    Route("/json", json_view),
    Route("/sleep", sleep),
    Route("/template", template),
])
