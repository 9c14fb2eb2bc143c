"""Flask's side of the benchmark table, served by gunicorn (bench.sh runs it
with one sync worker, gunicorn's default: one request at a time, so /sleep
shows what a blocking worker does with 1,000 connections; a gthread row with
100 threads runs /sleep as well).

    BENCH_TEMPLATES=DIR BENCH_CONTEXT=FILE gunicorn -w 1 flask_app:app
"""
import json
import os
import time

from flask import Flask, jsonify, render_template

app = Flask(__name__, template_folder=os.environ["BENCH_TEMPLATES"])
with open(os.environ["BENCH_CONTEXT"]) as f:
    CONTEXT = json.load(f)


@app.route("/plaintext")
def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.route("/json")
def json_view():
    return jsonify(message="Hello, World!")


@app.route("/sleep")
def sleep():
    time.sleep(0.1)
    return "slept", 200, {"Content-Type": "text/plain"}


@app.route("/template")
def template():
    return render_template("orders.html", **CONTEXT)
