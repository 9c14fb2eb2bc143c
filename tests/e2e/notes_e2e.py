#!/usr/bin/env python3
"""The notes demo in headless Chromium, used the way a person uses it: open
the site, get sent to the login page, log in as demo/demo, write a note, see
it listed with the flashed message, open it, log out. Every step checks what
the page shows; screenshots of the main steps go to the artifacts folder.

    python3 tests/e2e/notes_e2e.py --url http://127.0.0.1:8000 [--out DIR]

Exits 0 when every check passed; prints each step as it goes.
(tests/integration/test_example_notes.py runs it against a fresh server.)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def run(url, out, title):
    os.makedirs(out, exist_ok=True)
    shots = []

    def shot(name):
        shots.append(page.screenshot(os.path.join(out, name)))

    with Browser() as browser:
        print("browser:", browser.version.get("product"))
        page = browser.new_page(width=1000, height=760)

        # 1. A visitor is sent to the login page, which is styled.
        page.goto(url + "/")
        check(page.path() == "/auth/login?next=%2F", f"not sent to login: {page.path()}")
        check(page.texts(".flash") == ["Please log in to see your notes."], page.texts(".flash"))
        bg = page.eval("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
        font = page.eval("getComputedStyle(document.body).fontFamily")
        check(bg == "rgb(255, 255, 255)" and "system-ui" in font,
              f"the stylesheet did not apply: {bg} {font}")
        shot("1-login.png")
        print("ok: sent to the login page")

        # 2. A wrong password is refused, then demo/demo logs in.
        page.type_into("#username", "demo")
        page.type_into("#password", "wrong")
        page.click_and_wait("#login")
        check(page.texts(".flash.error") == ["Wrong user name or password."], page.texts(".flash"))
        check(page.eval("document.querySelector('#username').value") == "demo", "name not kept")
        page.type_into("#password", "demo")
        page.press_enter()
        check(page.path() == "/", f"not back on the notes page: {page.path()}")
        check(page.texts(".flash.success") == ["Welcome back, you are logged in."],
              page.texts(".flash"))
        check(page.text(".who") == "demo", f"user not shown: {page.text('.who')}")
        print("ok: logged in")

        # 3. An empty title is refused with a message next to the field.
        page.click_and_wait("#new-note")
        check(page.path() == "/notes/new", page.path())
        page.type_into("#body", "forgot the title")
        page.click_and_wait("#save")
        check(page.text("#title-error") == "Please give the note a title.", page.text("#title-error"))
        check(page.eval("document.querySelector('#body').value") == "forgot the title",
              "the body was not kept")
        shot("2-validation.png")
        print("ok: an empty title is refused")

        # 4. Add a note: it is flashed and listed.
        page.type_into("#title", title)
        page.click_and_wait("#save")
        check(page.path() == "/", page.path())
        flashes = page.texts(".flash.success")
        check(flashes == [f"Note \u201c{title}\u201d added."], flashes)
        listed = page.texts(".notes h2")
        check(listed and listed[0] == title, f"note not listed first: {listed}")
        green = page.eval("getComputedStyle(document.querySelector('.flash.success')).backgroundColor")
        check(green == "rgb(232, 246, 238)", f"flash not styled: {green}")
        shot("3-note-added.png")
        print("ok: note added, flashed and listed")

        # 5. Open it.
        page.click_and_wait(".notes li:first-child h2 a")
        check(page.text("article h1") == title, page.text("article h1"))
        check(page.text("article .body") == "forgot the title", page.text("article .body"))
        shot("4-note.png")
        print("ok: note opened")

        # 6. Log out.
        page.click_and_wait("#logout")
        check(page.path() == "/auth/login", page.path())
        check(page.texts(".flash.info") == ["You have been logged out."], page.texts(".flash"))
        check(page.eval("document.querySelector('#logout')") is None, "still logged in")
        shot("5-logged-out.png")
        page.goto(url + "/")
        check(page.path().startswith("/auth/login"), f"pages still open: {page.path()}")
        print("ok: logged out")
    for s in shots:
        print("screenshot:", s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--out", default=os.path.join(HERE, "artifacts"))
    ap.add_argument("--title", default=f"Groceries {time.strftime('%H:%M:%S')}")
    args = ap.parse_args()
    run(args.url.rstrip("/"), args.out, args.title)
    print("e2e: all steps passed")


if __name__ == "__main__":
    main()
