/*
 * examples/chat: a chat room over websockets.
 *
 *   ./chat run            then open http://127.0.0.1:8000/ in two windows
 *
 * GET / serves a page whose script connects to /ws?name=...; every message
 * a client sends goes to every client, as "name: text", and joins and
 * leaves are announced. /ws/echo sends each message back to its sender.
 *
 * Each client has a bounded queue of messages for it and a task that sends
 * them, so a client that reads slowly delays only itself: while its queue
 * is full, messages for it are dropped. The handler itself only receives.
 */
#include <phial.h>

#include <stdlib.h>
#include <string.h>

#define QUEUE_LEN 64
#define MAX_TEXT 1000

typedef struct client {
    ph_websocket *ws;
    ph_queue *out; /* of malloc'd strings */
    struct client *next, **pprev;
} client;

/* Every worker process has its own room: run it with one worker. */
static client *clients;

static const char page[] =
    "<!doctype html><meta charset=utf-8><title>phial chat</title>\n"
    "<ul id=log></ul><form id=f><input id=t autocomplete=off><button>Send</button></form>\n"
    "<script>\n"
    "const name = prompt('Your name?') || 'anon';\n"
    "const ws = new WebSocket(`ws://${location.host}/ws?name=${encodeURIComponent(name)}`);\n"
    "ws.onmessage = e => { const li = document.createElement('li');\n"
    "  li.textContent = e.data; log.appendChild(li); };\n"
    "f.onsubmit = e => { e.preventDefault(); ws.send(t.value); t.value = ''; };\n"
    "</script>\n";

static ph_response *index_view(ph_request *req) { return ph_html(req, 200, page); }

/* Sends what is queued for one client, until the queue closes. */
static int pump(void *arg) {
    client *c = arg;
    void *item;
    while (ph_queue_get(c->out, &item) == 0) {
        char *text = item;
        int rc = ph_ws_send_text(c->ws, text, strlen(text));
        free(text);
        if (rc < 0)
            break;
    }
    return 0;
}

/* Queue `text` for every client; never suspends, so the list cannot change under it. */
static void broadcast(const char *text) {
    for (client *c = clients; c; c = c->next) {
        char *copy = strdup(text);
        if (copy && ph_queue_try_put(c->out, copy) < 0)
            free(copy); /* that client is too far behind */
    }
}

static int chat(ph_websocket *ws) {
    ph_request *req = ph_ws_request(ws);
    const char *name = ph_request_arg(req, "name");
    if (!name || !*name)
        name = "anon";
    client c = {.ws = ws, .out = ph_queue_new(QUEUE_LEN)};
    if (!c.out)
        return PH_ENOMEM;
    int rc = ph_ws_accept(ws, NULL);
    ph_task *sender = rc == 0 ? ph_spawn(pump, &c, .name = "chat-sender") : NULL;
    if (sender) {
        c.next = clients;
        if (clients)
            clients->pprev = &c.next;
        clients = &c;
        c.pprev = &clients;
        broadcast(ph_request_printf(req, "* %s joined", name));
        ph_ws_message m;
        while ((rc = ph_ws_receive(ws, &m)) == 0 && m.type != PH_WS_CLOSE)
            if (m.type == PH_WS_TEXT)
                broadcast(ph_request_printf(req, "%s: %.*s", name,
                                            (int)(m.len < MAX_TEXT ? m.len : MAX_TEXT), m.data));
        *c.pprev = c.next;
        if (c.next)
            c.next->pprev = c.pprev;
        broadcast(ph_request_printf(req, "* %s left", name));
        /* The sender may be waiting on a client that stopped reading. */
        ph_cancel(sender);
        ph_join(sender);
    }
    void *item;
    while (ph_queue_try_get(c.out, &item) == 0)
        free(item);
    ph_queue_free(c.out);
    return rc < 0 && rc != PH_ECANCELED ? rc : 0;
}

static int echo(ph_websocket *ws) {
    ph_ws_message m;
    int rc;
    while ((rc = ph_ws_receive(ws, &m)) == 0 && m.type != PH_WS_CLOSE) {
        rc = m.type == PH_WS_TEXT ? ph_ws_send_text(ws, m.data, m.len)
                                  : ph_ws_send_binary(ws, m.data, m.len);
        if (rc < 0)
            break;
    }
    return rc == PH_ECLOSED ? 0 : rc;
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("chat");
    if (!app)
        return 1;
    ph_route(app, "/", index_view);
    ph_websocket(app, "/ws", chat);
    ph_websocket(app, "/ws/echo", echo);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
