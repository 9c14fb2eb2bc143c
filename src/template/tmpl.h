/*
 * Internal interface of the template engine, shared by its modules: the value
 * model, tokens, the syntax tree, the render state and the helpers each module
 * exports to the others. Nothing here is public API (see
 * include/phial/template.h); docs/internals/template.md describes the design.
 */
#ifndef PH_TEMPLATE_TMPL_H
#define PH_TEMPLATE_TMPL_H

#include "phial/template.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/copy_small.h"
#include "util/html.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A value is a small struct passed by value. Strings, lists and dicts point to
 * memory owned by someone who outlives the render: the app's json_t context,
 * the compiled template, or the render arena (temporaries). Nothing is
 * reference counted: the arena dies with the render.
 */
typedef enum tvk {
    TV_UNDEF, /* Jinja2's Undefined; s/n name the missing thing */
    TV_NONE,  /* None */
    TV_BOOL,  /* i is 0 or 1 */
    TV_INT,   /* i */
    TV_FLOAT, /* f */
    TV_STR,   /* s, n (UTF-8); safe marks Markup */
    TV_LIST,  /* l: an arena list (flags: TVF_TUPLE, TVF_GROUP) */
    TV_DICT,  /* d: an arena dict, insertion ordered (flags: TVF_NS, TVF_MODULE) */
    TV_JARR,  /* j: a borrowed JSON array */
    TV_JOBJ,  /* j: a borrowed JSON object */
    TV_FUNC,  /* fn: a builtin callable, maybe bound to a value */
    TV_MACRO, /* m: a macro (or a call block's caller) */
    TV_LOOP,  /* lp: the `loop` object of a for loop */
} tvk;

enum {
    TVF_TUPLE = 1,  /* a list that prints as a tuple */
    TVF_GROUP = 2,  /* a groupby tuple: .grouper and .list */
    TVF_NS = 4,     /* a namespace(): attributes may be assigned */
    TVF_MODULE = 8, /* an imported template's exports */
    TVF_ATTR = 16,  /* TV_UNDEF: missing attribute of an object (s names it) */
    TVF_HINT = 32,  /* TV_UNDEF: s is the whole error message */
    TVF_GEN = 64,   /* TV_LIST standing for a Jinja2 generator: always true, no len() */
    TVF_FAIL = 128, /* TV_UNDEF with TVF_HINT: printing it fails even without strict mode */
};

typedef struct tlist tlist;
typedef struct tdict tdict;
typedef struct tfunc tfunc;
typedef struct tmacro tmacro;
typedef struct tloop tloop;

/*
 * Sixteen bytes, so that a value travels in two registers when passed or
 * returned (the System V and AAPCS64 rules for small aggregates) instead of
 * through memory; a string's length therefore fits in 32 bits, which every
 * string a render can hold does (TV_MAX_LEN; longer app strings are refused
 * where they enter, ph__tv_from_json).
 */
typedef struct tv {
    uint8_t k;     /* tvk */
    uint8_t safe;  /* TV_STR: a safe (Markup) string, never escaped again */
    uint8_t flags; /* TVF_* */
    uint8_t owner; /* TV_UNDEF with TVF_ATTR: the type of the object (tvk) */
    uint32_t n;    /* TV_STR, TV_UNDEF: length of s */
    union {
        int64_t i;
        double f;
        const char *s;
        tlist *l;
        tdict *d;
        json_t *j;
        tfunc *fn;
        tmacro *m;
        tloop *lp;
    };
} tv;

#define TV_MAX_LEN UINT32_MAX

_Static_assert(sizeof(tv) == 16, "a value fits two registers");

/* v stands for a Jinja2 generator or iterator (TVF_GEN) */
static inline int tv_is_gen(tv v) { return v.k == TV_LIST && (v.flags & TVF_GEN); }

struct tlist {
    size_t n, cap;
    tv *v;
    /* A generator (TVF_GEN) whose making failed: Jinja2's generator filters
     * run only when something reads their items, so the error waits for
     * that (ph__tv_items raises it); such a list holds no items. NULL for
     * every other list. */
    const ph_tmpl_error *pending;
    /* TVF_GEN: what Python calls it, for type names and repr(): the type
     * ("generator", "list_reverseiterator"; NULL means "generator") and, for
     * a generator, the function that made it ("sync_do_map"), or NULL */
    const char *gen_type, *gen_func;
    uint8_t kind; /* tl_kind */
    /* TL_RANGE: the numbers it was made from, which it prints as */
    int64_t start, stop, step;
};

/* What a list is to Python besides its items: a range prints as one and
 * equals only a range; a dict's views print as dict_items([...]), take no
 * index and compare by their own rules. Generators are values' TVF_GEN. */
enum tl_kind { TL_LIST, TL_RANGE, TL_KEYS, TL_VALUES, TL_ITEMS };

static inline int tl_kind(tv v) { return v.k == TV_LIST ? v.l->kind : TL_LIST; }
static inline int tv_is_view(tv v) { return tl_kind(v) >= TL_KEYS; }

struct tdict {
    size_t n, cap;
    tv *k;
    tv *v;
};

typedef struct targs {
    tv *pos;
    size_t npos;
    const char **kwn; /* keyword names (NUL-terminated) */
    tv *kwv;
    size_t nkw;
    tv inl[3]; /* room for short argument lists: pos/kwv may point here, so a
                * targs must not be copied while those are in use */
} targs;

typedef struct rctx rctx;
typedef int (*tfunc_fn)(rctx *r, tfunc *self, targs *a, tv *out);

struct tfunc {
    tfunc_fn fn;
    tv self;          /* the bound object (str, list, dict, loop, ...) */
    const char *name; /* for messages */
    void *ud;         /* extra state (C globals, cyclers) */
    int64_t state;
    /* what Python's repr() shows inside <...> ("class 'range'"), followed by
     * " at 0x..." when repr_at; NULL: a built-in function or method */
    const char *repr;
    int repr_at;
    tfunc_fn inner; /* the method a wrapper (a Markup string's) calls, or NULL */
};

#define TV_MK(kind) ((tv){.k = (kind)})
static inline tv tv_int(int64_t i) {
    tv v = {.k = TV_INT};
    v.i = i;
    return v;
}
static inline tv tv_bool(int b) {
    tv v = {.k = TV_BOOL};
    v.i = b != 0;
    return v;
}
static inline tv tv_float(double f) {
    tv v = {.k = TV_FLOAT};
    v.f = f;
    return v;
}
static inline tv tv_str(const char *s, size_t n, int safe) {
    tv v = {.k = TV_STR, .safe = (uint8_t)safe, .n = n};
    v.s = s;
    return v;
}
static inline tv tv_undef(const char *name, size_t n) {
    tv v = {.k = TV_UNDEF, .n = n};
    v.s = name;
    return v;
}

/* ------------------------------------------------------------------------ */
/* Tokens and the syntax tree                                               */
/* ------------------------------------------------------------------------ */

typedef enum ttype {
    T_EOF,
    T_TEXT,
    T_VAR_BEGIN,
    T_VAR_END,
    T_BLOCK_BEGIN,
    T_BLOCK_END,
    T_NAME,
    T_STRING,
    T_INT,
    T_FLOAT,
    T_OP,
} ttype;

/* Operator codes: single characters stand for themselves. */
enum { OP_FLOORDIV = 256, OP_POW, OP_EQ, OP_NE, OP_LE, OP_GE, OP_IN, OP_NOTIN };

typedef struct tok {
    uint8_t type;
    int op;
    uint32_t line, col;
    const char *s; /* T_TEXT, T_NAME, T_STRING (decoded) */
    size_t n;
    int64_t i;
    double f;
} tok;

typedef struct tokens {
    tok *v;
    size_t n, cap;
} tokens;

typedef enum nkind {
    /* statements */
    N_BODY,
    N_TEXT,
    N_PRINT,
    N_IF,
    N_FOR,
    N_SET,
    N_SETBLOCK,
    N_WITH,
    N_MACRO,
    N_CALLBLOCK,
    N_INCLUDE,
    N_IMPORT,
    N_FROMIMPORT,
    N_EXTENDS,
    N_BLOCK,
    N_AUTOESCAPE,
    N_FILTERBLOCK,
    /* expressions */
    E_CONST,
    E_NAME,
    E_GETATTR,
    E_GETITEM,
    E_SLICE,
    E_BINOP,
    E_NEG,
    E_POS,
    E_NOT,
    E_AND,
    E_OR,
    E_COMPARE,
    E_CONCAT,
    E_COND,
    E_FILTER,
    E_TEST,
    E_CALL,
    E_LIST,
    E_TUPLE,
    E_DICT,
} nkind;

typedef struct node node;
struct node {
    uint16_t kind;
    int op; /* E_BINOP operator; E_COMPARE: ops in ops[] */
    uint32_t line, col;
    const char *name; /* names: variables, attributes, filters, tests, blocks, macros */
    size_t nlen;
    node *a, *b, *c; /* children, by kind (see parser.c) */
    node **v;        /* list children: body, args, items */
    size_t nv;
    node **w; /* second list: else body, keyword values, dict values */
    size_t nw;
    const char **kw; /* keyword names (E_CALL/E_FILTER/E_TEST), targets, params */
    int *ops;        /* E_COMPARE: operators; N_MACRO, N_CALLBLOCK: the lengths of kw */
    tv val;          /* E_CONST */
    int flags;       /* by kind: NF_* */
    void *fn;        /* E_FILTER/E_TEST: the builtin, resolved when compiled */
    int32_t reg;     /* E_FILTER/E_TEST: the app's filter/test of this name, or -1 */
    uint32_t nreg;   /* ...resolved among this many registered (later ones: look again) */
};

enum {
    NF_SCOPED = 1,         /* block */
    NF_REQUIRED = 2,       /* block */
    NF_RECURSIVE = 4,      /* for */
    NF_IGNORE_MISSING = 8, /* include */
    NF_WITH_CONTEXT = 16,  /* include/import */
    NF_CALLER = 32,        /* macro uses caller */
    NF_VARARGS = 64,       /* macro uses varargs */
    NF_KWARGS = 128,       /* macro uses kwargs */
    NF_NEGATE = 256,       /* test: `is not` */
    NF_TRIM_RIGHT = 512,
    NF_DICTMETHOD = 1024, /* E_GETATTR: the name is a dict method (items, keys, ...) */
    NF_NESTED = 2048,     /* block: inside a statement with a scope (for, with, macro...) */
};

/* A compiled template: its tree and everything the tree points into. */
typedef struct ptmpl {
    char *name;     /* NULL for a string template */
    char *path;     /* file it came from, or NULL */
    double mtime;   /* of path when loaded */
    int autoescape; /* initial autoescape state */
    ph_arena arena; /* tree nodes, decoded strings, normalized source */
    node *root;     /* N_BODY */
    node **blocks;  /* every N_BLOCK, for inheritance */
    size_t nblocks;
    struct ptmpl *next; /* cache chain */
} ptmpl;

/* ------------------------------------------------------------------------ */
/* Environment                                                              */
/* ------------------------------------------------------------------------ */

typedef struct cfilter {
    char *name;
    ph_tmpl_filter_fn fn;
    ph_tmpl_test_fn test;
    ph_tmpl_lazy_fn lazy;
    void *ud;
} cfilter;

struct ph_tmpl_env {
    ph_tmpl_opts opts;
    char **paths;
    size_t npaths;
    ph_tmpl_loader loader;
    json_t *strings; /* name -> source for templates given as strings */
    json_t *globals; /* name -> value */
    cfilter *filters, *tests, *funcs, *lazies;
    size_t nfilters, ntests, nfuncs, nlazies;
    struct {
        ph_tmpl_context_fn fn;
        void *ud;
    } * procs;
    size_t nprocs;
    ptmpl *cache; /* a chain; templates per app are few */
    struct tmpl_loading *loading; /* templates being read and compiled (env.c) */
};

/* ------------------------------------------------------------------------ */
/* Render state                                                             */
/* ------------------------------------------------------------------------ */

typedef struct frame frame;
struct frame {
    frame *parent;
    int stop; /* lookups do not go past this frame to parent */
    size_t n, cap;
    struct fvar {
        const char *name;
        size_t len;
        tv v;
    } * vars;
};

/* A block override chain entry. */
typedef struct bchain {
    const char *name;
    size_t nlen;
    node **v; /* most derived first */
    ptmpl **owners;
    size_t n;
} bchain;

/* The state of one template's render (an include or import has its own). */
typedef struct tctx {
    ptmpl *t;
    frame *root;  /* top-level variables (exported) */
    frame *outer; /* include/import with context: the includer's frame */
    json_t *ctx;  /* the render context (NULL without context) */
    bchain *blocks;
    size_t nblocks, capblocks;
    ptmpl *parent; /* set by {% extends %}: render it next */
} tctx;

struct tmacro {
    node *def; /* N_MACRO or N_CALLBLOCK */
    frame *closure;
    tctx *tc;
    ptmpl *owner;
    tv caller; /* for a call block's macro call */
};

struct tloop {
    tv seq; /* the materialised items (TV_LIST or TV_JARR) */
    size_t i, n;
    int depth;
    tv last_changed;
    int changed_set;
    node *forn; /* recursive: the loop to run again */
    frame *fr;
    tctx *tc;
};

/*
 * A streaming render's output (stream.c): the render's own buffer, with a
 * sink that sends it when it fills, and the writer it goes to. Captures and
 * %-formats build at the end of that buffer and cut it back afterwards, so
 * while one runs (`hold`) nothing is sent: the bytes past its mark are not
 * output, and its mark must not move.
 */
typedef struct tstream {
    ph_buf_sink sink;
    ph_buf *buf;
    ph_tmpl_write_fn write;
    void *ud;
    int hold;   /* captures and formats building at the end of buf */
    int failed; /* what write returned once it failed: every later send fails so */
} tstream;

struct rctx {
    ph_tmpl_env *env;
    ph_buf *out;
    tstream *stream; /* NULL unless the render streams */
    ph_arena *a;
    ph_tmpl_error *err;
    int autoescape;
    int suppress; /* output after extends is dropped */
    int depth;    /* call depth guard */
    ptmpl *cur;   /* template being rendered (for messages) */
    void *user;   /* the render's user pointer for C callbacks */
    json_t *ctx;  /* render context */
    /* block rendering: which chain entry is running, for super() */
    bchain *cur_chain;
    size_t cur_index;
    tctx *cur_tc;
    frame *cur_scope; /* what the running block's body sees outside it (super() passes it on) */
    tv filter_input;      /* the body's output for {% filter %} and block set filters */
    json_t *keep;         /* JSON results of C callbacks, alive until the render ends */
    json_t **lazy;        /* lazy context values made so far (env->lazies order) */
    size_t nlazy;         /* room in lazy: the registrations when the render began */
    uintptr_t stack_base; /* address near the render's first frame (stack_exhausted) */
    int repr_depth;       /* nesting of repr() of containers */
};

/* Keep `j` (a new reference, stolen) alive for the rest of the render. */
int ph__tmpl_keep(rctx *r, json_t *j);
/* Python str() of v as a TV_STR, Undefined as "" (Jinja2's soft_str). */
int ph__tmpl_soft_str(rctx *r, const node *n, tv v, tv *out);
/* Jinja2's make_attrgetter: "a.b.0" looked up item-first on v. */
int ph__tmpl_attr_path(rctx *r, const node *n, tv v, tv path, tv *out);

#define RENDER_MAX_DEPTH 96
#define PARSE_MAX_DEPTH 256

/*
 * Bytes of C stack a render (or the compile-time checks) may use below its
 * entry point. Renders run on task stacks (256 KiB by default), and a tree can
 * be deep without deep parser recursion (`1+1+...+1` is a left-deep chain),
 * so recursion checks the stack itself and fails cleanly instead of
 * overflowing.
 */
#define STACK_BUDGET (96 * 1024)
static inline int stack_exhausted(uintptr_t base) {
    char here;
    uintptr_t p = (uintptr_t)&here;
    return base > p && base - p > STACK_BUDGET;
}

/* Append to a buffer: the common case (room left) inline, else ph__buf_append. */
/* The NUL-terminated name `cname` (of a table or registry) is the len bytes
 * at s, which may hold any byte: a name is measured only as far as len + 1. */
static inline int ph__name_is(const char *cname, const char *s, size_t len) {
    return strnlen(cname, len + 1) == len && memcmp(cname, s, len) == 0;
}

static inline int out_put(ph_buf *b, const char *p, size_t n) {
    if (b->data && n < b->cap - b->len) {
        if (n <= 16)
            ph__copy_small(b->data + b->len, p, n);
        else
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return ph__buf_append(b, p, n);
}

/* stream.c: send what the streaming render holds (0 when a capture holds
 * it, or it is empty), or the writer's error. */
int ph__tmpl_stream_flush(tstream *ts);

/* Before the app's C code runs (a filter, test or global function): it may
 * suspend (await a database, ph_sleep), so a streaming render sends what it
 * holds first, and the client sees the page up to there meanwhile. */
static inline int ph__tmpl_before_app(rctx *r) {
    return r->stream ? ph__tmpl_stream_flush(r->stream) : 0;
}

/* Hold a streaming render's output while a capture or a format builds at
 * the end of r->out (see tstream); pass the result to ph__tmpl_unhold. */
static inline tstream *ph__tmpl_hold(rctx *r) {
    tstream *ts = r->stream;
    if (!ts || ts->buf != r->out)
        return NULL;
    ts->hold++;
    return ts;
}
static inline void ph__tmpl_unhold(tstream *ts) {
    if (ts)
        ts->hold--;
}

/* env.c: the render context for `t` (context processors' values under the
 * caller's; takes `context`), or an error described in *err */
int ph__tmpl_make_context(ph_tmpl_env *env, const ptmpl *t, json_t *context, void *user,
                          json_t **ctx, ph_tmpl_error *err);
/* env.c: render `t` with the made context into `buf`; `ts` streams it
 * (NULL: the output stays in buf). 0, or the error's code with *err set. */
int ph__tmpl_run(ph_tmpl_env *env, ptmpl *t, json_t *ctx, void *user, ph_buf *buf, tstream *ts,
                 ph_tmpl_error *err);

/* lexer.c */
int ph__tmpl_lex(const char *src, size_t len, const ph_tmpl_opts *o, ph_arena *a, tokens *out,
                 const char *name, ph_tmpl_error *err);

/* parser.c */
int ph__tmpl_parse(ptmpl *t, const tokens *tk, ph_tmpl_error *err);
void ph__tmpl_set_error(ph_tmpl_error *e, const char *name, uint32_t line, uint32_t col, int code,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* compile.c: load + parse + cache */
ptmpl *ph__tmpl_compile(ph_tmpl_env *env, const char *name, const char *src, size_t len,
                        ph_tmpl_error *err);
void ph__tmpl_destroy(ptmpl *t);
ptmpl *ph__tmpl_get(ph_tmpl_env *env, const char *name, ph_tmpl_error *err);
int ph__tmpl_default_autoescape(const ph_tmpl_env *env, const char *name);

/* render.c */
int ph__tmpl_render_root(rctx *r, ptmpl *t, tctx *tc);
int ph__tmpl_exec(rctx *r, node *n, frame *f, tctx *tc);
int ph__tmpl_capture(rctx *r, node **body, size_t nbody, frame *f, tctx *tc, tv *out);
int ph__tmpl_call_macro(rctx *r, tmacro *m, targs *a, tv *out); /* out NULL: into r->out */
int ph__tmpl_eval_args(rctx *r, const node *n, frame *f, tctx *tc, targs *a);
int ph__tmpl_call_loop(rctx *r, tloop *lp, targs *a, tv *out);
int ph__tmpl_rerr(rctx *r, const node *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
frame *ph__tmpl_frame_new(rctx *r, frame *parent, int stop);
int ph__tmpl_frame_set(rctx *r, frame *f, const char *name, size_t len, tv v);
int ph__tmpl_super(rctx *r, tv *out);
int ph__tmpl_self_block(rctx *r, const char *name, size_t len, tv *out);

/* eval.c */
int ph__tmpl_eval_node(rctx *r, node *n, frame *f, tctx *tc, tv *out);
int ph__tmpl_lookup(rctx *r, frame *f, tctx *tc, const char *name, size_t len, tv *out);

/* Evaluate n into *out. Constants and names, half of all the nodes a render
 * evaluates, are answered here without entering the evaluator, whose frame
 * (room for every kind of node) is the costlier part of a leaf. */
static inline int ph__tmpl_eval(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    if (n->kind == E_CONST) {
        *out = n->val;
        return 0;
    }
    if (n->kind == E_NAME)
        return ph__tmpl_lookup(r, f, tc, n->name, n->nlen, out);
    return ph__tmpl_eval_node(r, n, f, tc, out);
}
int ph__tmpl_getattr(rctx *r, const node *n, tv obj, const char *name, size_t len, tv *out);
/* methods.c: whether a dict has a method of this name (it wins over a key) */
int ph__tmpl_is_dict_method(const char *name, size_t len);
int ph__tmpl_getitem(rctx *r, const node *n, tv obj, tv key, tv *out);
int ph__tmpl_call(rctx *r, const node *n, tv fn, targs *a, tv *out);
int ph__tmpl_check_undef(rctx *r, const node *n, tv v);
int ph__tmpl_binop(rctx *r, const node *n, int op, tv a, tv b, tv *out);
int ph__tmpl_undef_error(rctx *r, const node *n, tv v);
int ph__tmpl_call_cfunc(rctx *r, tfunc *self, targs *a, tv *out);
/* Python's fmt % args. kw: the operand when Python would index it like a
 * mapping (a dict for %(name)s; a list or Undefined, whose arguments may then
 * go unused), or TV_NONE */
int ph__tmpl_pyformat(rctx *r, const node *n, tv fmt, tv *args, size_t nargs, tv kw, tv *out);

/* value.c */
tv ph__tv_from_json(json_t *j);
json_t *ph__tv_to_json(rctx *r, tv v);
/* The arguments of a call as C callbacks get them: a JSON array of the
 * positional values, then one object of the keywords when there are any.
 * NULL when an allocation fails (never a partial list). */
json_t *ph__tmpl_args_json(rctx *r, const targs *a);
/* Before a C callback gets `v` and the arguments as JSON (which reads every
 * item): the error a failed generator among them keeps, raised; else 0. */
int ph__tmpl_args_pending(rctx *r, tv v, const targs *a);
int ph__tv_truthy(tv v);
int ph__tv_str(rctx *r, tv v, ph_buf *b);        /* Python str() */
int ph__tv_repr(rctx *r, tv v, ph_buf *b);       /* Python repr() */
int ph__tv_tostr(rctx *r, tv v, tv *out);        /* str() as a TV_STR value (keeps safe) */
int ph__tv_output(rctx *r, const node *n, tv v); /* {{ v }} into r->out */
int ph__tv_eq(tv a, tv b);
/* A hash consistent with ph__tv_eq for hashable values (equal values hash
 * alike: 1, 1.0 and true too); kinds it does not tell apart share one. */
uint64_t ph__tv_hash(tv v);
int ph__tv_cmp(rctx *r, const node *n, tv a, tv b, int *res);
size_t ph__tv_len(tv v); /* for sized values */
int ph__tv_is_seq(tv v);
/* Python's name for the type that makes v unhashable (a list or dict, or a
 * tuple holding one), or NULL when v can be a set member or dict key. */
const char *ph__tv_unhashable(tv v);
int ph__tv_items(rctx *r, const node *n, tv v, tv **items, size_t *count); /* iterate */
tv ph__tv_at(tv seq, size_t i); /* TV_LIST / TV_JARR element */
tlist *ph__tlist_new(rctx *r, size_t cap);
int ph__tlist_push(rctx *r, tlist *l, tv v);
void ph__tlist_reverse(tlist *l); /* in place */
tdict *ph__tdict_new(rctx *r, size_t cap);
int ph__tdict_set(rctx *r, tdict *d, tv k, tv v);
int ph__tdict_get(tv dict, tv key, tv *out);
/* Where key is among d's keys (Python's equality), or -1. */
ptrdiff_t ph__tdict_index(const tdict *d, tv key);
const char *ph__tv_typename(tv v);
char *ph__tv_cstr(rctx *r, tv v); /* NUL-terminated copy (arena) */
tv ph__tv_strdup(rctx *r, const char *s, size_t n, int safe);
int ph__fmt_float(ph_buf *b, double f);
int ph__fmt_int(ph_buf *b, int64_t i);
int ph__fmt_repr_str(ph_buf *b, const char *s, size_t n);
size_t ph__utf8_len(const char *s, size_t n);

uint32_t ph__utf8_next(const char *s, size_t n, size_t *adv);
int ph__utf8_put(ph_buf *b, uint32_t cp);

/* unescape.c: Python's html.unescape (every HTML5 named reference, numeric
 * references with the standard's repairs), appended to b */
int ph__tmpl_html_unescape(ph_buf *b, const char *s, size_t n);
/* pynumber.c: Python's int(text, base) (0; 1 with *big set when the value
 * does not fit 64 bits; -1 where Python raises ValueError) and float(text)
 * (0, or -1 for ValueError) */
int ph__py_int(const char *s, size_t n, int base, int64_t *out, double *big);
int ph__py_float(const char *s, size_t n, double *out);
/* filters_str.c: the striptags filter (Markup.striptags()) */
int ph__tmpl_striptags(rctx *r, const node *n, tv v, tv *out);
/* casemap.c: Python's case mappings. Modes of ph__tmpl_casemap: str.upper,
 * str.lower, str.capitalize, Jinja2's title filter, str.title, str.swapcase. */
enum { C_UPPER, C_LOWER, C_CAPITALIZE, C_TITLE, C_PYTITLE, C_SWAP };
int ph__tmpl_casemap(rctx *r, tv s, int mode, tv *out);
/* Python's str.casefold(): full case folding, character by character */
int ph__tmpl_casefold(rctx *r, tv s, tv *out);
int ph__cp_printable(uint32_t c); /* Python's str.isprintable() of one character */
/* A character's classes as Python's str methods see them (casemap.c; the
 * bits scripts/gen-unicode-data.py writes) */
enum {
    CP_ALPHA = 1,    /* str.isalpha() */
    CP_DIGIT = 2,    /* str.isdigit() */
    CP_NUMERIC = 4,  /* str.isnumeric(); with CP_ALPHA, str.isalnum() */
    CP_SPACE = 8,    /* str.isspace() */
    CP_LOWER = 16,   /* str.islower() */
    CP_UPPER = 32,   /* str.isupper() */
    CP_TITLE = 64,   /* general category Lt */
};
unsigned ph__cp_classes(uint32_t c);
/* Python's \w (re with Unicode): alphanumeric in any script, or '_' */
int ph__cp_word(uint32_t c);
/* The value of a decimal digit of any script (Python's unicodedata.decimal), or -1. */
int ph__cp_decimal(uint32_t c);
/* str.islower() (lower) or str.isupper() of s: its cased characters all in
 * that case, and at least one of them */
int ph__cp_one_case(const char *s, size_t n, int lower);
/* The character at s (n bytes left, n > 0) when str.isspace() holds for
 * it, Unicode's spaces too (U+00A0, U+3000...): its bytes; otherwise 0 */
size_t ph__cp_space_len(const char *s, size_t n);
/* The length of the line break at s[i] as str.splitlines() sees one (\r\n,
 * \n, \r, \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029), or 0. */
size_t ph__cp_line_break(const char *s, size_t n, size_t i);
/* Python's str.strip (left and right), lstrip or rstrip: whole characters
 * found in *chars, or whitespace as str.isspace() sees it when chars is NULL */
tv ph__tmpl_strip(tv s, const tv *chars, int left, int right);
size_t ph__utf8_offset(const char *s, size_t n, size_t chars);

/* filters.c, filters_seq.c, filters_str.c, tests.c, methods.c */
typedef int (*bfilter_fn)(rctx *r, const node *n, tv v, targs *a, tv *out);
bfilter_fn ph__tmpl_find_filter(const char *name, size_t len);
/* Run `fn`, a filter that is a generator in Jinja2 (`func` is the Python
 * function's name, for repr): a template error it raises is kept in the
 * generator it returns instead (tlist.pending), and raised by whatever reads
 * the items, as Jinja2 raises it on iteration. */
int ph__tmpl_lazily(rctx *r, const node *n, bfilter_fn fn, const char *func, tv v, targs *a,
                    tv *out);
/* The error a failed generator keeps (its code), put back in the render's
 * error; 0 for any other value. Called where the items are read. */
int ph__tmpl_pending(rctx *r, tv v);
/* ph__tv_items empties a generator, as reading a Python generator does; a
 * reader that takes only some items (`first`, `in`) gives the rest back. */
void ph__tmpl_unread(tv v, tv *rest, size_t nrest);
typedef int (*btest_fn)(rctx *r, const node *n, tv v, targs *a, int *res);
btest_fn ph__tmpl_find_test(const char *name, size_t len);
int ph__tmpl_apply_filter(rctx *r, const node *n, const char *name, size_t len, tv v, targs *a,
                          tv *out);
int ph__tmpl_apply_test(rctx *r, const node *n, const char *name, size_t len, tv v, targs *a,
                        int *res);
int ph__tmpl_method(rctx *r, const node *n, tv obj, const char *name, size_t len, tv *out);
int ph__tmpl_str_method(const char *name, size_t len, tfunc_fn *fn, const char **sname);
/* For a Markup string: *fn becomes the wrapper that escapes the string
 * arguments of the methods markupsafe wraps (strip, replace, center,
 * partition ...) and then calls the bound tfunc's `inner`, which the caller
 * sets to the method; returns 1 then, 0 for the others. */
int ph__tmpl_markup_method(const char *sname, tfunc_fn *fn);
int ph__tmpl_dict_items(rctx *r, tv d, tv *out);
int ph__tmpl_builtin_global(rctx *r, const char *name, size_t len, tv *out);
int ph__tmpl_arg(targs *a, size_t pos, const char *kw, tv *out);

/* pprint.c: the pprint filter (Python's pprint.pformat) */
int ph__tmpl_f_pprint(rctx *r, const node *n, tv v, targs *a, tv *out);

/* random.c: the random filter and the lipsum global */
int ph__tmpl_f_random(rctx *r, const node *n, tv v, targs *a, tv *out);
int ph__tmpl_g_lipsum(rctx *r, tfunc *self, targs *a, tv *out);

/* Filter sub-tables, searched in order by ph__tmpl_find_filter. */
typedef struct bfilter_entry {
    const char *name;
    bfilter_fn fn;
} bfilter_entry;
extern const bfilter_entry ph__tmpl_filters_str[];
extern const bfilter_entry ph__tmpl_filters_seq[];

#endif
