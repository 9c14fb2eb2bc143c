"""examples/chat: the chat page, the room (every message to every client,
joins and leaves announced) and the echo websocket, over real sockets."""
import httpx
import pytest

from conftest import BUILD_DIR
from server_util import Server
from ws_util import WS

CHAT = BUILD_DIR / "examples" / "chat" / "chat"


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    s = Server("run", exe=CHAT, log_dir=tmp_path_factory.mktemp("chat"))
    try:
        yield s
        s.stop_cleanly()
    finally:
        s.kill()


def test_page_connects_to_the_room(chat):
    r = httpx.get(chat.url("/"), timeout=10)
    assert r.status_code == 200 and "new WebSocket(" in r.text


def test_messages_reach_every_client(chat):
    ann = WS(chat.port, "/ws?name=ann")
    assert ann.recv() == "* ann joined"
    bob = WS(chat.port, "/ws?name=bob")
    assert bob.recv() == "* bob joined"
    assert ann.recv() == "* bob joined"
    ann.send_text("hi bob")
    assert ann.recv() == "ann: hi bob"
    assert bob.recv() == "ann: hi bob"
    bob.close()
    assert ann.recv() == "* bob left"
    ann.close()


def test_echo(chat):
    ws = WS(chat.port, "/ws/echo")
    ws.send_text("ping?")
    assert ws.recv() == "ping?"
    ws.send_bytes(b"\x00\x01")
    assert ws.recv() == b"\x00\x01"
    assert ws.close()[0] == 1000
