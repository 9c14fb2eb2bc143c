"""Quart's side of the benchmark table (Flask's API on asyncio, the closest
Python peer of phial), served by uvicorn with one worker.

    BENCH_TEMPLATES=DIR BENCH_CONTEXT=FILE uvicorn quart_app:app
"""
import asyncio
import json
import os

from quart import Quart, jsonify, render_template

app = Quart(__name__, template_folder=os.environ["BENCH_TEMPLATES"])
with open(os.environ["BENCH_CONTEXT"]) as f:
    CONTEXT = json.load(f)


@app.route("/plaintext")
async def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.route("/json")
async def json_view():
    return jsonify(message="Hello, World!")


@app.route("/sleep")
async def sleep():
    await asyncio.sleep(0.1)
    return "slept", 200, {"Content-Type": "text/plain"}


@app.route("/template")
async def template():
    return await render_template("orders.html", **CONTEXT)
