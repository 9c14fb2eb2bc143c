"""Malformed and smuggling requests against the real server, as a table: raw
request bytes and the one status expected. For every case the server must
send exactly that one response, say Connection: close, and close the
connection; a request pipelined after the bad one (a smuggling attempt) must
never be answered. The rules behind each status are in
docs/internals/http_parser.md."""
import time

import pytest

from server_util import Conn, parse_all

H = "Host: t\r\n"
SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"

CASES = [
    # --- line endings and framing of the head
    ("bare_lf_everywhere", "GET / HTTP/1.1\nHost: t\n\n", 400),
    ("bare_lf_after_request_line", "GET / HTTP/1.1\nHost: t\r\n\r\n", 400),
    ("bare_lf_in_header", "GET / HTTP/1.1\r\nHost: t\nX: y\r\n\r\n", 400),
    ("bare_cr_in_value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n", 400),
    ("cr_cr_lf", "GET / HTTP/1.1\r\nHost: t\r\r\n\r\n", 400),
    ("five_leading_empty_lines", "\r\n" * 5 + "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    # --- request line
    ("http09_simple_request", "GET /\r\n\r\n", 400),
    ("missing_version", "GET / \r\nHost: t\r\n\r\n", 400),
    ("version_lowercase", "GET / http/1.1\r\nHost: t\r\n\r\n", 400),
    ("version_no_minor", "GET / HTTP/1.\r\nHost: t\r\n\r\n", 400),
    ("version_two_digits", "GET / HTTP/11\r\nHost: t\r\n\r\n", 400),
    ("version_2_0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    ("version_3_0", "GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    ("version_0_9", "GET / HTTP/0.9\r\nHost: t\r\n\r\n", 505),
    ("two_spaces_after_method", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("tab_separator", "GET\t/ HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("trailing_space_after_version", "GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 400),
    ("space_in_target", "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("control_byte_in_target", "GET /a\x01b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("del_in_target", "GET /a\x7f HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("high_byte_in_target", "GET /caf\xe9 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("nul_in_target", "GET /a\x00 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("absolute_form_target", "GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("asterisk_with_get", "GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("empty_target", "GET  HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("connect_method", "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", 501),
    ("bad_char_in_method", "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("empty_method", " / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("leading_space_request_line", " GET / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    # --- header fields
    ("space_before_colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
    ("tab_before_colon", "GET / HTTP/1.1\r\nHost\t: t\r\n\r\n", 400),
    ("obs_fold", "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400),
    ("obs_fold_tab", "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n\tb\r\n\r\n", 400),
    ("first_header_folded", "GET / HTTP/1.1\r\n Host: t\r\n\r\n", 400),
    ("empty_header_name", "GET / HTTP/1.1\r\nHost: t\r\n: x\r\n\r\n", 400),
    ("header_without_colon", "GET / HTTP/1.1\r\nHost: t\r\nFoo\r\n\r\n", 400),
    ("non_token_in_name", "GET / HTTP/1.1\r\nHost: t\r\nFo@o: x\r\n\r\n", 400),
    ("control_byte_in_name", "GET / HTTP/1.1\r\nHost: t\r\nX\x01Y: x\r\n\r\n", 400),
    ("nul_in_value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n", 400),
    ("del_in_value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\x7fb\r\n\r\n", 400),
    ("vertical_tab_in_value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\x0bb\r\n\r\n", 400),
    ("escape_in_value", "GET / HTTP/1.1\r\nHost: t\r\nX: a\x1bb\r\n\r\n", 400),
    # --- Host
    ("missing_host_http11", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400),
    ("two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("two_hosts_http10", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    ("bad_char_in_host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    ("space_in_host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    # --- Content-Length
    ("cl_and_te", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_and_cl", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Length: 5\r\n\r\n0\r\n\r\n", 400),
    ("cl_twice_same", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                      "Content-Length: 3\r\n\r\nabc", 400),
    ("cl_twice_different", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                           "Content-length: 0\r\n\r\nabc", 400),
    ("cl_list", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
    ("cl_negative", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400),
    ("cl_plus", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc", 400),
    ("cl_hex", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0x3\r\n\r\nabc", 400),
    ("cl_inner_space", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1 0\r\n\r\n", 400),
    ("cl_empty", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length:\r\n\r\n", 400),
    ("cl_overflow", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                    "Content-Length: 99999999999999999999999\r\n\r\n", 400),
    ("cl_letters", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", 400),
    # --- Transfer-Encoding
    ("te_gzip_only", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    ("te_chunked_not_last", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                            "Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
    ("te_chunked_twice", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                         "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_chunked_two_fields", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_xchunked", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
    ("te_empty", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n\r\n", 400),
    ("te_quoted", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400),
    ("te_vertical_tab", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                        "Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n", 400),
    ("te_in_http10", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_gzip_then_chunked", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                             "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    # --- chunked body framing (found while the app reads the body)
    ("chunk_size_not_hex", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "zz\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_size_0x", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0x3\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_size_negative", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "-3\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_size_leading_space", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                                 "\r\n 3\r\nabc\r\n0\r\n\r\n", 400),
    # A size past 2^64 passes the body limit (checked per digit) before it overflows.
    ("chunk_size_overflow", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "fffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 413),
    ("chunk_data_too_long", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabcd\r\n0\r\n\r\n", 400),
    ("chunk_bare_lf_after_size", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                                 "\r\n3\nabc\r\n0\r\n\r\n", 400),
    ("chunk_bare_lf_after_data", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                                 "\r\n3\r\nabc\n0\r\n\r\n", 400),
    ("chunk_ext_bare_cr", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3;a=\rb\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_bad_trailer_fold", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                               "\r\n3\r\nabc\r\n0\r\nX: a\r\n b\r\n\r\n", 400),
    ("chunk_trailer_no_colon", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                               "\r\n3\r\nabc\r\n0\r\nBad trailer\r\n\r\n", 400),
    # --- limits (defaults: 8 KiB request line, 16 KiB of fields, 100 fields, 100 MiB body)
    ("request_line_too_long", "GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    ("header_block_too_large", "GET / HTTP/1.1\r\nHost: t\r\n" + "X: " + "v" * 17000 + "\r\n\r\n",
     431),
    ("too_many_headers", "GET / HTTP/1.1\r\nHost: t\r\n" +
     "".join(f"X-{i}: v\r\n" for i in range(101)) + "\r\n", 431),
    ("content_length_over_limit", "POST /echo HTTP/1.1\r\nHost: t\r\n"
                                  "Content-Length: 200000000\r\n\r\nabc", 413),
    ("chunk_over_limit", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "10000000\r\nabc", 413),
]


def test_table_has_at_least_60_cases():
    assert len(CASES) >= 60
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("name,raw,status", CASES, ids=[c[0] for c in CASES])
def test_malformed_request(shared_server, name, raw, status):
    with Conn(shared_server.port, timeout=15) as c:
        c.send(raw.encode("latin-1"))
        try:
            c.send(SMUGGLED)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server already answered and closed: nothing smuggled
        data = c.read_until_close()  # raises socket.timeout if it stays open
    responses = parse_all(data)
    assert len(responses) == 1, data
    r = responses[0]
    assert r.status == status, data
    assert r.header("Connection") == "close", data
    assert b"smuggled" not in data


def test_server_still_serves_after_the_table(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"hello"


ACCEPTED = [
    ("te_ows_and_case", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:  ChUnKeD \r\n\r\n"
                        "3\r\nabc\r\n0\r\n\r\n", b"abc"),
    ("chunk_extension", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "3;name=value\r\nabc\r\n0\r\n\r\n", b"abc"),
    ("chunk_trailers", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n", b"abc"),
    ("upper_hex_size", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    ("leading_empty_lines", "\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi",
     b"hi"),
    ("obs_text_in_value", "POST /echo HTTP/1.1\r\nHost: t\r\nX: caf\xe9\r\nContent-Length: 1\r\n\r\nz",
     b"z"),
    ("empty_host_value", "POST /echo HTTP/1.1\r\nHost:\r\nContent-Length: 1\r\n\r\nz", b"z"),
    ("http10_no_host", "POST /echo HTTP/1.0\r\nContent-Length: 1\r\n\r\nz", b"z"),
    ("cl_leading_zeros", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 002\r\n\r\nhi", b"hi"),
]


@pytest.mark.parametrize("name,raw,body", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_lenient_but_unambiguous_requests_are_served(shared_server, name, raw, body):
    with Conn(shared_server.port) as c:
        c.send(raw.encode("latin-1"))
        r = c.read_response()
    assert r.status == 200 and r.body == body


# Requests whose head would never end in a blank line: answered at once,
# not held until the head timeout (10 s).
@pytest.mark.parametrize("raw", [
    b"GET /\r\n",                                   # HTTP/0.9: no version
    b"GET / FOO\r\n",                               # no HTTP/ version
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello's first bytes
], ids=["http09", "no_version", "tls_hello"])
def test_hopeless_heads_are_refused_at_once(shared_server, raw):
    with Conn(shared_server.port, timeout=15) as c:
        c.send(raw)
        t0 = time.monotonic()
        data = c.read_until_close()
        took = time.monotonic() - t0
    assert parse_all(data)[0].status == 400 and took < 2, (data, took)
