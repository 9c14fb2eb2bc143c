/*
 * The debug page: in debug mode (config DEBUG), an unhandled error answers
 * with an HTML page showing the error, the request and a C backtrace of
 * where the error was recorded. Never outside debug mode: the page tells an
 * attacker far too much. Every value shown is HTML-escaped.
 */
#include "app/core.h"

#include "util/html.h"

#include <execinfo.h>
#include <stdlib.h>
#include <string.h>

static int esc(ph_buf *b, const char *s) { return s ? ph__html_escape(b, s, 0) : 0; }

static void row(ph_buf *b, const char *k, const char *v) {
    ph__buf_append_str(b, "<tr><th>");
    esc(b, k);
    ph__buf_append_str(b, "<td>");
    esc(b, v);
    ph__buf_append_str(b, "\n");
}

ph_response *ph__debug_page(ph_request *req, const ph_error *e) {
    ph_buf b;
    ph__buf_init(&b, 1 << 20);
    ph__buf_append_str(&b, "<!doctype html>\n<html lang=en>\n<head><meta charset=utf-8>\n<title>");
    esc(&b, e->kind->name);
    ph__buf_append_str(&b, " // phial debug</title>\n<style>body{font:14px/1.4 sans-serif;"
                           "margin:2em}h1{color:#b00}pre{background:#f4f4f4;padding:1em;"
                           "overflow:auto}th{text-align:left;padding-right:1em;vertical-align:top}"
                           "td{font-family:monospace}.foot{color:#777}</style></head>\n<body>\n<h1>");
    esc(&b, e->kind->name);
    ph__buf_append_str(&b, "</h1>\n<p class=msg>");
    esc(&b, e->message ? e->message : "an unhandled error");
    if (e->code) {
        ph__buf_append_str(&b, " (");
        esc(&b, ph_err_name(e->code));
        ph__buf_append_str(&b, ": ");
        esc(&b, ph_strerror(e->code));
        ph__buf_append_str(&b, ")");
    }
    ph__buf_append_str(&b, "</p>\n<h2>Request</h2>\n<table>\n");
    row(&b, "Method", ph_request_method(req));
    row(&b, "URL", ph_request_url(req));
    row(&b, "Endpoint", ph_request_endpoint(req) ? ph_request_endpoint(req) : "(none)");
    row(&b, "Remote address", ph_request_remote_addr(req));
    ph__buf_append_str(&b, "</table>\n<h2>Headers</h2>\n<table>\n");
    for (size_t i = 0; i < req->scope->nheaders; i++) {
        const ph_header *h = &req->scope->headers[i];
        char *n = ph__arena_strndup(req->arena, h->name.ptr, h->name.len);
        char *v = ph__arena_strndup(req->arena, h->value.ptr, h->value.len);
        if (n && v)
            row(&b, n, v);
    }
    ph__buf_append_str(&b, "</table>\n<h2>Backtrace (where the error was recorded, innermost "
                           "first)</h2>\n<pre>");
    char **syms = req->ntrace ? backtrace_symbols(req->trace, req->ntrace) : NULL;
    for (int i = 0; syms && i < req->ntrace; i++) {
        esc(&b, syms[i]);
        ph__buf_append_char(&b, '\n');
    }
    if (!req->ntrace)
        ph__buf_append_str(&b, "(no backtrace was recorded for this error)\n");
    free(syms);
    ph__buf_append_str(&b, "</pre>\n<p class=foot>This page appears because DEBUG is on. Never "
                           "serve an app with DEBUG on where others can reach it.</p>\n"
                           "</body>\n</html>\n");
    ph_response *r = ph_response_new(req, 500, b.data, b.len, NULL);
    ph__buf_close(&b);
    return r ? r : ph__default_error_page(req, 500, NULL);
}
