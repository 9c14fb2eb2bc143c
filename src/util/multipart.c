/*
 * Streaming multipart/form-data parser.
 *
 * The body is a preamble, then parts each introduced by the delimiter
 * CRLF "--" boundary, then the close delimiter (the delimiter followed by
 * "--") and an epilogue (RFC 2046 section 5.1.1; RFC 7578 for form-data).
 * The first delimiter may start the body without its CRLF, so the matcher
 * starts as if a CRLF had just been read.
 *
 * Delimiter search: the delimiter's only CR is its first byte (RFC 2046
 * bchars exclude CR and LF), so after a mismatch the match can only restart
 * at a CR; memchr finds the next one and the rest of the bytes pass as data
 * without being looked at twice. A partial match at the end of a chunk is
 * held as a count (its bytes are the delimiter's own, so nothing is copied)
 * and handed on as data if the next chunk does not complete it. After a full
 * delimiter, "--" closes the body, optional transport padding and CRLF start
 * a part, and anything else means the text was data after all.
 *
 * Each part's header block is copied into a fixed buffer (the only
 * allocation) until CRLF CRLF, then parsed in place: Content-Disposition
 * (form-data, name, filename, filename* per RFC 7578 section 4.2 and
 * RFC 8187) and Content-Type. Unlike Werkzeug's decoder (which also accepts
 * a lone CR or LF) line breaks must be CRLF, and a missing close delimiter
 * is an error.
 *
 * Not here: charset decoding of fields, spooling to files, the multipart/mixed
 * nesting of RFC 2388 (obsolete for form-data).
 */
#include "multipart.h"

#include "alloc.h"
#include "mime.h"

#include <string.h>

static const char crlfcrlf[4] = {'\r', '\n', '\r', '\n'};

static int is_bchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           strchr("'()+_,-./:=? ", c) != NULL;
}

int ph__multipart_init(ph_multipart *mp, const char *boundary, size_t blen,
                       const ph_multipart_callbacks *cb, void *data,
                       const ph_multipart_limits *lim) {
    if (!mp)
        return PH_EINVAL;
    memset(mp, 0, sizeof(*mp));
    if (!boundary || !cb || !cb->on_part_begin || !cb->on_part_data || !cb->on_part_end)
        return PH_EINVAL;
    if (blen == 0 || blen > PH_MULTIPART_MAX_BOUNDARY || boundary[blen - 1] == ' ')
        return PH_EPARSE;
    for (size_t i = 0; i < blen; i++)
        if (boundary[i] == '\0' || !is_bchar((unsigned char)boundary[i]))
            return PH_EPARSE;
    mp->hmax =
        lim && lim->max_header_size ? lim->max_header_size : PH_MULTIPART_DEFAULT_MAX_HEADER_SIZE;
    mp->max_parts = lim && lim->max_parts ? lim->max_parts : PH_MULTIPART_DEFAULT_MAX_PARTS;
    mp->hbuf = ph__malloc(mp->hmax);
    if (!mp->hbuf)
        return PH_ENOMEM;
    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, boundary, blen);
    mp->dlen = blen + 4;
    mp->k = 2; /* the first delimiter may open the body without its CRLF */
    mp->state = PH__MP_PREAMBLE;
    mp->cb = cb;
    mp->data = data;
    return 0;
}

void ph__multipart_close(ph_multipart *mp) {
    if (!mp)
        return;
    ph__free(mp->hbuf);
    mp->hbuf = NULL;
}

static int fail(ph_multipart *mp, int err) {
    mp->state = PH__MP_ERROR;
    mp->err = err;
    return err;
}

/* Hand data to the current part; the preamble is dropped. */
static int emit(ph_multipart *mp, const char *p, size_t n) {
    if (n == 0 || !mp->in_part)
        return 0;
    return mp->cb->on_part_data(mp->data, p, n);
}

/*
 * Scan data (or preamble) bytes from *pos for the delimiter. Returns 0 or a
 * callback's error; on a full match switches to PH__MP_AFTER_DELIM.
 */
static int scan_data(ph_multipart *mp, const char *s, size_t len, size_t *pos) {
    size_t i = *pos, span = i, mstart = i;
    int carried = mp->k > 0; /* a partial match began in an earlier chunk */
    int rc;
    while (i < len) {
        if (mp->k == 0) {
            const char *cr = memchr(s + i, '\r', len - i);
            if (!cr) {
                i = len;
                break;
            }
            i = (size_t)(cr - s);
            mstart = i++;
            mp->k = 1;
            carried = 0;
            continue;
        }
        if (s[i] == mp->delim[mp->k]) {
            i++;
            if (++mp->k == mp->dlen) {
                rc = emit(mp, s + span, (carried ? span : mstart) - span);
                mp->k = 0;
                mp->npad = 0;
                mp->state = PH__MP_AFTER_DELIM;
                *pos = i;
                return rc;
            }
            continue;
        }
        /* Mismatch: the partial match was data. Bytes of it that arrived in
         * this chunk lie in [span, i) already; earlier ones are delim's. */
        if (carried) {
            if ((rc = emit(mp, mp->delim, mp->k)) < 0)
                return rc;
            span = i;
            carried = 0;
        }
        mp->k = 0;
    }
    *pos = len;
    if (mp->k > 0)
        return carried ? 0 : emit(mp, s + span, mstart - span);
    return emit(mp, s + span, len - span);
}

/* What followed a delimiter shows it was data: hand it on, then `extra`. */
static int not_delim(ph_multipart *mp, const char *extra, size_t n) {
    int rc = emit(mp, mp->delim, mp->dlen);
    if (rc == 0)
        rc = emit(mp, mp->pad, mp->npad);
    if (rc == 0)
        rc = emit(mp, extra, n);
    mp->state = mp->in_part ? PH__MP_DATA : PH__MP_PREAMBLE;
    return rc;
}

static int header_name_is(const char *p, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return 0;
    }
    return 1;
}

/* Parse a Content-Disposition value (in the header buffer) into `part`. */
static int parse_disposition(char *v, size_t n, ph_multipart_part *part) {
    size_t i = 0;
    while (i < n && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
        i++;
    if (!header_name_is(v, i, "form-data"))
        return PH_EPARSE;
    ph_mime_param p, name = {.quoted = false}, filename = {.quoted = false},
                     filename_ext = {.quoted = false};
    int rc, seen_name = 0, seen_file = 0, seen_ext = 0;
    while ((rc = ph__mime_next_param(v, n, &i, &p)) > 0) {
        if (header_name_is(p.name.ptr, p.name.len, "name") && !seen_name) {
            name = p;
            seen_name = 1;
        } else if (header_name_is(p.name.ptr, p.name.len, "filename") && !seen_file) {
            filename = p;
            seen_file = 1;
        } else if (header_name_is(p.name.ptr, p.name.len, "filename*") && !seen_ext) {
            filename_ext = p;
            seen_ext = 1;
        }
    }
    if (rc < 0 || !seen_name)
        return PH_EPARSE;
    /* The slices point into the (mutable) header buffer: unquote in place. */
    char *np = (char *)name.value.ptr;
    part->name =
        (ph_slice){np, name.quoted ? ph__mime_unquote(np, np, name.value.len) : name.value.len};
    if (seen_file) {
        char *fp = (char *)filename.value.ptr;
        part->filename =
            (ph_slice){fp, filename.quoted ? ph__mime_unquote(fp, fp, filename.value.len)
                                           : filename.value.len};
    }
    if (seen_ext && !filename_ext.quoted) {
        char *ep = (char *)filename_ext.value.ptr;
        ptrdiff_t el = ph__mime_decode_ext_value(ep, filename_ext.value.len);
        if (el >= 0)
            part->filename = (ph_slice){ep, (size_t)el};
    }
    return 0;
}

/* Parse one "Name: value" line of a part's header block. */
static int parse_header_line(char *line, size_t n, ph_multipart_part *part, int *seen_cd) {
    if (n == 0 || line[0] == ' ' || line[0] == '\t')
        return PH_EPARSE; /* obs-fold is not allowed (RFC 7578 section 4.8) */
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return PH_EPARSE;
    size_t nl = (size_t)(colon - line);
    for (size_t i = 0; i < nl; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c <= ' ' || c >= 127)
            return PH_EPARSE;
    }
    size_t vb = nl + 1, ve = n;
    for (size_t i = vb; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 32 && c != '\t') || c == 127)
            return PH_EPARSE; /* includes a lone CR or LF */
    }
    while (vb < ve && (line[vb] == ' ' || line[vb] == '\t'))
        vb++;
    while (ve > vb && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
        ve--;
    if (header_name_is(line, nl, "content-disposition")) {
        if ((*seen_cd)++)
            return PH_EPARSE;
        return parse_disposition(line + vb, ve - vb, part);
    }
    if (header_name_is(line, nl, "content-type")) {
        if (part->content_type.ptr)
            return PH_EPARSE;
        part->content_type = (ph_slice){line + vb, ve - vb};
    }
    return 0;
}

/* The header block is complete in hbuf: parse it and start the part. */
static int begin_part(ph_multipart *mp) {
    if (++mp->parts > mp->max_parts)
        return PH_ETOOBIG;
    /* hbuf ends with CRLF CRLF, or is just CRLF for an empty block. */
    size_t blen = mp->hlen >= 4 ? mp->hlen - 4 : 0;
    ph_multipart_part part;
    memset(&part, 0, sizeof(part));
    part.headers = (ph_slice){mp->hbuf, blen};
    int seen_cd = 0, rc;
    size_t i = 0;
    while (i < blen) {
        const char *eol = blen - i >= 2 ? memmem(mp->hbuf + i, blen - i, "\r\n", 2) : NULL;
        size_t end = eol ? (size_t)(eol - mp->hbuf) : blen;
        if ((rc = parse_header_line(mp->hbuf + i, end - i, &part, &seen_cd)) < 0)
            return rc;
        i = end + 2;
    }
    if (!seen_cd)
        return PH_EPARSE;
    mp->in_part = 1;
    mp->k = 0;
    mp->state = PH__MP_DATA;
    return mp->cb->on_part_begin(mp->data, &part);
}

/* Copy header bytes until CRLF CRLF. */
static int read_headers(ph_multipart *mp, const char *s, size_t len, size_t *pos) {
    size_t i = *pos;
    while (i < len) {
        char c = s[i++];
        if (mp->hlen == mp->hmax)
            return PH_ETOOBIG;
        mp->hbuf[mp->hlen++] = c;
        if (c == crlfcrlf[mp->hmatch])
            mp->hmatch++;
        else
            mp->hmatch = c == '\r';
        if (mp->hmatch == 4) {
            *pos = i;
            return begin_part(mp);
        }
    }
    *pos = i;
    return 0;
}

/* The byte after a delimiter, its padding or its CR. Returns 0 or an error;
 * consumes the byte only when it belongs to the delimiter line. */
static int after_delim(ph_multipart *mp, char c, size_t *pos) {
    switch (mp->state) {
    case PH__MP_AFTER_DELIM:
    case PH__MP_PADDING:
        if (c == '-' && mp->state == PH__MP_AFTER_DELIM) {
            mp->state = PH__MP_DASH;
        } else if (c == ' ' || c == '\t') {
            if (mp->npad == sizeof(mp->pad))
                return PH_EPARSE;
            mp->pad[mp->npad++] = c;
            mp->state = PH__MP_PADDING;
        } else if (c == '\r') {
            mp->state = PH__MP_CR;
        } else {
            return not_delim(mp, NULL, 0);
        }
        break;
    case PH__MP_DASH:
        if (c != '-')
            return not_delim(mp, "-", 1);
        mp->state = PH__MP_EPILOGUE;
        if (mp->in_part) {
            mp->in_part = 0;
            (*pos)++;
            return mp->cb->on_part_end(mp->data);
        }
        break;
    default: /* PH__MP_CR */
        if (c != '\n')
            return not_delim(mp, "\r", 1);
        mp->state = PH__MP_HEADERS;
        mp->hlen = 0;
        mp->hmatch = 2; /* the delimiter line's CRLF may end an empty block */
        if (mp->in_part) {
            mp->in_part = 0;
            (*pos)++;
            return mp->cb->on_part_end(mp->data);
        }
        break;
    }
    (*pos)++;
    return 0;
}

ptrdiff_t ph__multipart_feed(ph_multipart *mp, const char *s, size_t len) {
    if (mp->state == PH__MP_ERROR)
        return mp->err;
    size_t i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        switch (mp->state) {
        case PH__MP_PREAMBLE:
        case PH__MP_DATA:
            rc = scan_data(mp, s, len, &i);
            break;
        case PH__MP_HEADERS:
            rc = read_headers(mp, s, len, &i);
            break;
        case PH__MP_EPILOGUE:
            i = len;
            break;
        default:
            rc = after_delim(mp, s[i], &i);
            break;
        }
    }
    if (rc < 0)
        return fail(mp, rc);
    return (ptrdiff_t)len;
}

int ph__multipart_finish(ph_multipart *mp) {
    if (mp->state == PH__MP_ERROR)
        return mp->err;
    if (mp->state != PH__MP_EPILOGUE)
        return fail(mp, PH_EPARSE);
    return 0;
}
