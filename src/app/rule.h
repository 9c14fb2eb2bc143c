/*
 * URL rules as Werkzeug writes them ("/user/<int:id>", "<path:p>",
 * "<any(a,b):kind>", "<int(signed=True,fixed_digits=4):n>"): the parser, the
 * converters (what each one matches, how it validates and how it formats a
 * value back into a URL) and the ordering weights the router sorts by.
 *
 * A rule is cut at its slashes into parts, as Werkzeug's RulePart: a part
 * without a variable is static (matched by exact bytes), a part with one or
 * more variables is dynamic (matched piece by piece), and a part that holds a
 * `path` variable is final: it takes in every later segment of the rule and is
 * matched against the whole rest of the request path.
 *
 * Internal to phial; see docs/internals/router.md.
 */
#ifndef PH_APP_RULE_H
#define PH_APP_RULE_H

#include "phial/app.h"
#include "phial/common.h"
#include "util/arena.h"
#include "util/buf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The names in a rule (variables, converter arguments): ASCII identifiers.
 * Also what a view's name must be to become its endpoint (app.c). */
static inline int ph__rule_ident_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static inline int ph__rule_ident(int c) {
    return ph__rule_ident_start(c) || (c >= '0' && c <= '9');
}

/* Limits checked by the parser (PH_EINVAL past them). */
#define PH__RULE_MAX_LEN 4096 /* bytes of rule text */
#define PH__RULE_MAX_VARS 32  /* variables in one rule */

typedef enum ph__conv_kind {
    PH__CONV_STRING, /* default: one non-empty segment, no slash */
    PH__CONV_INT,    /* \d+ (-? when signed), value int64 */
    PH__CONV_FLOAT,  /* \d+\.\d+ (-? when signed), value double */
    PH__CONV_PATH,   /* [^/].*? : may hold slashes; makes its part final */
    PH__CONV_UUID,   /* 8-4-4-4-12 hex digits */
    PH__CONV_ANY,    /* one of a fixed list of items */
    PH__CONV_CUSTOM, /* an app's (ph_app_add_converter): one segment, or spanning as path */
} ph__conv_kind;

/* A converter an app registered: its callbacks under a name. Registries are
 * lists, newest first, so a later registration of a name wins for the rules
 * added after it while earlier rules keep pointing at theirs. */
typedef struct ph__custom_conv {
    struct ph__custom_conv *next;
    char *name;      /* NUL-terminated, owned */
    ph_converter cb; /* weight resolved (never 0) */
    void *arg;       /* the app's */
} ph__custom_conv;

/* A converter with its arguments. Two equal converters match the same bytes. */
typedef struct ph__conv {
    ph__conv_kind kind;
    int weight;            /* Werkzeug's: 50 int/float, 100 string/any/uuid, 200 path */
    size_t minlen, maxlen; /* string: length bounds in characters; maxlen SIZE_MAX = none */
    int is_signed;         /* int/float: a leading '-' is allowed */
    size_t fixed_digits;   /* int: exact length of the text (0 = any) */
    int has_min, has_max;  /* int/float: bounds given */
    double min, max;       /* int/float: inclusive bounds */
    char **items;          /* any: the items (NUL-terminated, owned) */
    size_t nitems;
    const ph__custom_conv *custom; /* custom: the registration (lives as long as the router) */
    void *self;                    /* custom: what create made (owned), else the app's arg */
} ph__conv;

typedef struct ph__rule_var {
    char *name; /* NUL-terminated, owned */
    ph__conv conv;
} ph__rule_var;

/* A piece of a part: literal bytes or one variable. */
typedef struct ph__rule_piece {
    int var;         /* -1: literal; otherwise an index into rule->vars */
    const char *lit; /* literal bytes (inside rule->text) */
    size_t len;
} ph__rule_piece;

typedef struct ph__rule_part {
    int is_static;          /* no variable: matched by exact bytes (lit of pieces[0]) */
    int final;              /* holds a path variable: matched against the rest of the path */
    ph__rule_piece *pieces; /* static: zero or one literal piece */
    size_t npieces;
    /* Weight, as Werkzeug's Weighting: more static pieces first, then longer
     * static pieces, then more variables, then lighter converters. */
    size_t nstatic;
    size_t *static_lens;
    size_t nargs;
    int *arg_weights;
} ph__rule_part;

typedef struct ph__rule {
    char *text; /* the rule as given (NUL-terminated, owned) */
    size_t len;
    ph__rule_part *parts; /* after the leading slash, split at slashes */
    size_t nparts;
    ph__rule_var *vars; /* in order of appearance */
    size_t nvars;
    int has_custom; /* some variable has a custom converter: its values need to_python */
} ph__rule;

/* Why a rule did not parse: the byte offset and a full message. */
typedef struct ph__rule_error {
    size_t pos;    /* offset into the rule text */
    char msg[512]; /* "rule '/a/<int:x' : unterminated converter at position 3" */
} ph__rule_error;

/*
 * Parse `text` (NUL-terminated) into a rule. Runs of slashes count as one
 * slash (Werkzeug's merge_slashes).
 *
 * Returns:  0; PH_EINVAL malformed rule (`err` says where and why, when not
 *           NULL); PH_ENOMEM.
 * Owns:     *out belongs to the caller (ph__rule_free); copies `text`.
 * Suspends: no.
 */
int ph__rule_parse(const char *text, ph__rule **out, ph__rule_error *err);

/* ph__rule_parse, with the app's converters `custom` (may be NULL) looked up
 * before the builtin ones. Their create callbacks run here, and a refusal
 * is PH_EINVAL with the converter's message in `err`. */
int ph__rule_parse_with(const char *text, const ph__custom_conv *custom, ph__rule **out,
                        ph__rule_error *err);

/* Free a rule. NULL does nothing. */
void ph__rule_free(ph__rule *r);

/* The index of variable `name` in `r`, or -1. */
int ph__rule_var_index(const ph__rule *r, const char *name);

/* Whether two parts (of any rules) have the same pattern (bounds aside). */
int ph__rule_part_same(const ph__rule *ra, const ph__rule_part *a, const ph__rule *rb,
                       const ph__rule_part *b);

/* Order of two dynamic parts for matching: < 0 when `a` is tried first. */
int ph__rule_part_cmp(const ph__rule_part *a, const ph__rule_part *b);

/*
 * Match dynamic part `p` of rule `r` against all of s[0..len), by pattern
 * only (no bounds: see ph__rule_values_valid). On success the text of each
 * variable of the part is stored at caps[var index].
 *
 * Returns:  1 matched; 0 not.
 * Suspends: no.
 */
int ph__rule_part_match(const ph__rule *r, const ph__rule_part *p, const char *s, size_t len,
                        ph_slice *caps);

/*
 * Check the matched values of `r` (caps[i] for variable i) against their
 * converters' bounds, fixed digits and range (int64, floats up to 511 bytes).
 *
 * Returns:  1 all valid; 0 not.
 */
int ph__rule_values_valid(const ph__rule *r, const ph_slice *caps);

/*
 * Check that `s` is valid for converter `c` (as the matcher would accept it)
 * and parse the typed value: *iv for int, *dv for float.
 *
 * Returns:  1 valid; 0 not.
 */
int ph__conv_accept(const ph__conv *c, const char *s, size_t len, int64_t *iv, double *dv);

/*
 * Format `v` for converter `c` into `out`, as Werkzeug's to_url does (int
 * zero-padding, float repr, percent-encoding with "/:" kept). Strings,
 * integers, reals and booleans are accepted.
 *
 * Returns:  0; PH_EINVAL the value cannot be formatted by `c`; PH_ENOMEM /
 *           PH_ETOOBIG from `out`.
 */
int ph__conv_to_url(const ph__conv *c, json_t *v, ph_buf *out);

/* The name of a converter kind ("int"). */
const char *ph__conv_name(ph__conv_kind k);

/* The name of converter `c` as a rule writes it: its kind's, or the name an
 * app registered it under. */
const char *ph__conv_label(const ph__conv *c);

/* ---- custom converters (custom_conv.c) ---------------------------------- */

/*
 * Add converter `cb` under `name` to the registry *list.
 *
 * Returns:  0; PH_EINVAL a name that is not an identifier, or NULL; PH_ENOMEM.
 * Owns:     copies `name` and `*cb`; `arg` stays the caller's.
 */
int ph__custom_conv_add(ph__custom_conv **list, const char *name, const ph_converter *cb,
                        void *arg);

/* Free a registry. NULL does nothing. */
void ph__custom_conv_free(ph__custom_conv *list);

/* The newest registration of name[0..n), or NULL. */
const ph__custom_conv *ph__custom_conv_find(const ph__custom_conv *list, const char *name,
                                            size_t n);

/* Undo what create made for `c` (a custom converter of a rule being freed). */
void ph__custom_conv_close(ph__conv *c);

/*
 * Run to_python of custom converter `c` on s[0..len): *value is the result
 * (the text as a string when to_python leaves it), released with `a`.
 *
 * Returns:  1 accepted; 0 refused (ValidationError); a negative PH_E* code
 *           from to_python, or PH_ENOMEM.
 * Suspends: no (the callback must not).
 */
int ph__custom_conv_to_python(const ph__conv *c, ph_arena *a, const char *s, size_t len,
                              json_t **value);

/* to_url of custom converter `c`, appending to `out`: 0, PH_EINVAL refused,
 * or another negative code (from the callback or the buffer). On failure
 * `out` keeps its length. */
int ph__custom_conv_to_url(const ph__conv *c, json_t *v, ph_buf *out);

/*
 * Append Python's str() of a JSON scalar: strings as they are, integers in
 * decimal, reals as repr() ("1.5", "2.0", "1e+20"), true/false as
 * "True"/"False". Returns 0; PH_EINVAL for null, arrays and objects; or a
 * ph_buf error.
 */
int ph__rule_pystr(json_t *v, ph_buf *out);

/* Python's equality of two JSON scalars (1 == 1.0 == true). */
int ph__rule_pyequal(json_t *a, json_t *b);

/*
 * Append s[0..len) percent-encoded as Werkzeug's url_quote: letters, digits,
 * "-._~$!'()*+,;" and the bytes in `safe` stay; every other byte becomes %XX.
 * With `plus` set, as url_quote_plus: '+' is encoded and a space becomes '+'.
 */
int ph__rule_quote(ph_buf *out, const char *s, size_t len, const char *safe, int plus);

#endif
