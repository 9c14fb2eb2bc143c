/*
 * The two things of Jinja2 that are random on purpose: the `random` filter
 * (one item of a sequence) and the `lipsum` global (placeholder text). Each
 * thread draws from its own xorshift generator, seeded from the kernel, so
 * renders on different workers or threads do not repeat one another and no
 * lock is taken. Not for anything secret.
 */
#include "tmpl.h"

#include <sys/random.h>
#include <time.h>

static _Thread_local uint64_t state;

static uint64_t next(void) {
    if (!state) {
        if (getrandom(&state, sizeof(state), GRND_NONBLOCK) != (ssize_t)sizeof(state) || !state) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            state = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ (uintptr_t)&ts;
            state |= 1;
        }
    }
    /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

/* A number in [0, n), n > 0, without modulo bias (multiply and shift). */
static size_t below(size_t n) { return (size_t)(((unsigned __int128)next() * n) >> 64); }

/* `seq|random`: one item at random; Undefined for an empty sequence. */
int ph__tmpl_f_random(rctx *r, const node *n, tv v, targs *a, tv *out) {
    (void)a;
    tv *items;
    size_t count;
    if (v.k == TV_DICT || v.k == TV_JOBJ) /* Python's random.choice indexes it */
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "KeyError: random.choice needs a sequence");
    if (tv_is_gen(v))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "object of type '%s' has no len()",
                             ph__tv_typename(v));
    int rc = ph__tv_items(r, n, v, &items, &count);
    if (rc < 0)
        return rc;
    if (!count) {
        *out = tv_undef("No random item, sequence was empty.", 35);
        out->flags |= TVF_HINT;
        return 0;
    }
    *out = items[below(count)];
    if (v.k == TV_STR && v.safe) /* indexed out of Markup: Markup, as f_last */
        out->safe = 1;
    return 0;
}

/* Words of the classical placeholder text (Cicero, de finibus 1.10.32). */
static const char *const words[] = {
    "lorem",   "ipsum",   "dolor",    "sit",        "amet",     "consectetur", "adipiscing",
    "elit",    "sed",     "do",       "eiusmod",    "tempor",   "incididunt",  "ut",
    "labore",  "et",      "dolore",   "magna",      "aliqua",   "enim",        "ad",
    "minim",   "veniam",  "quis",     "nostrud",    "exercitation", "ullamco", "laboris",
    "nisi",    "aliquip", "ex",       "ea",         "commodo",  "consequat",   "duis",
    "aute",    "irure",   "in",       "reprehenderit", "voluptate", "velit",   "esse",
    "cillum",  "eu",      "fugiat",   "nulla",      "pariatur", "excepteur",   "sint",
    "occaecat", "cupidatat", "non",   "proident",   "sunt",     "culpa",       "qui",
    "officia", "deserunt", "mollit",  "anim",       "id",       "est",         "laborum",
    "perspiciatis", "unde", "omnis",  "iste",       "natus",    "error",       "voluptatem",
    "accusantium", "doloremque", "laudantium", "totam", "rem",  "aperiam",     "eaque",
    "ipsa",    "quae",    "ab",       "illo",       "inventore", "veritatis",  "quasi",
    "architecto", "beatae", "vitae",  "dicta",      "explicabo", "nemo",       "ipsam",
};

static int64_t int_arg(targs *a, size_t pos, const char *kw, int64_t def) {
    tv v;
    return ph__tmpl_arg(a, pos, kw, &v) && (v.k == TV_INT || v.k == TV_BOOL) ? v.i : def;
}

/*
 * lipsum(n=5, html=True, min=20, max=100): n paragraphs of at least min
 * and fewer than max words, in sentences with the odd comma; as HTML each paragraph is a <p>
 * and the result is markup, as plain text paragraphs are separated by a
 * blank line. Bounded so that a template cannot ask for gigabytes.
 */
int ph__tmpl_g_lipsum(rctx *r, tfunc *self, targs *a, tv *out) {
    (void)self;
    int64_t n = int_arg(a, 0, "n", 5), lo = int_arg(a, 2, "min", 20), hi = int_arg(a, 3, "max", 100);
    tv hv = tv_bool(1);
    ph__tmpl_arg(a, 1, "html", &hv);
    int html = ph__tv_truthy(hv);
    if (hi <= lo) /* Python's randrange(min, max) */
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "empty range for randrange() (%lld, %lld)",
                             (long long)lo, (long long)hi);
    if (n < 0 || lo < 1 || n > 1000 || hi > 10000)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "lipsum: n, min or max out of range");
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    for (int64_t p = 0; rc == 0 && p < n; p++) {
        if (p)
            rc = ph__buf_append_str(&b, html ? "\n" : "\n\n");
        if (rc == 0 && html)
            rc = ph__buf_append_str(&b, "<p>");
        size_t count = (size_t)lo + below((size_t)(hi - lo)), since = 0;
        int capital = 1; /* a sentence begins */
        for (size_t w = 0; rc == 0 && w < count; w++, since++) {
            const char *word = words[below(sizeof(words) / sizeof(words[0]))];
            if (w)
                rc = ph__buf_append_char(&b, ' ');
            if (rc == 0)
                rc = ph__buf_append_char(&b, capital ? (char)(word[0] - 32) : word[0]);
            if (rc == 0)
                rc = ph__buf_append_str(&b, word + 1);
            capital = 0;
            /* a sentence ends after 8 to 20 words, a comma comes now and then */
            if (rc == 0 && w + 1 < count && since >= 8 && below(12) < since - 7) {
                rc = ph__buf_append_char(&b, '.');
                since = (size_t)-1;
                capital = 1;
            } else if (rc == 0 && w + 1 < count && since >= 3 && below(10) == 0) {
                rc = ph__buf_append_char(&b, ',');
            }
        }
        if (rc == 0)
            rc = ph__buf_append_str(&b, html ? ".</p>" : ".");
    }
    if (rc == 0) {
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, html);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&b);
    return rc;
}
