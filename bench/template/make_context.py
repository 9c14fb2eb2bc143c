#!/usr/bin/python3
"""The context of the benchmark page: a user, site navigation and 100 orders
whose text needs escaping (names with <, &, quotes), as JSON on stdout."""
import json
import random

rng = random.Random(7)
statuses = ["Paid", "PENDING", "shipped", "Refunded"]
orders = []
for i in range(100):
    orders.append({
        "id": 1000 + i,
        "item": "Widget <%d> & \"Gadget\" for Tom's shop, extra long name" % i,
        "note": rng.choice(["", "call <before> delivery", "gift & wrap", "fragile: 'glass'"]) or None,
        "status": statuses[i % 4],
        "total": round(rng.uniform(1, 999), 2),
        "urgent": i % 7 == 0,
    })
ctx = {
    "user": {"name": "ada lovelace", "email": "Ada@Example.COM"},
    "site": {"name": "Shop & Co", "year": 2024,
             "nav": [{"url": "/", "title": "Home"}, {"url": "/orders", "title": "Orders"},
                     {"url": "/account", "title": "Account <me>"}]},
    "current": "/orders",
    "orders": orders,
}
print(json.dumps(ctx))
