/*
 * Storage for the notes app in SQLite, through the thread pool.
 *
 * SQLite's API blocks (disk reads, fsync on commit, waiting for another
 * process's lock), so no query runs on the loop: each public function packs
 * its arguments into a job on the calling task's stack and hands a worker
 * function to ph_to_thread(), which suspends the task until the job is done
 * while the loop serves other requests. One connection per worker process,
 * opened in SQLite's serialized mode (SQLITE_OPEN_FULLMUTEX) because jobs run
 * on several pool threads; WAL mode lets several worker processes share the
 * file. Nothing here touches phial's task functions from a pool thread, as
 * ph_to_thread() requires; JSON results are built on the pool thread and
 * handed over whole when the job returns.
 *
 * References: https://sqlite.org/threadsafe.html, https://sqlite.org/wal.html.
 */
#include "notes.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct notes_db {
    sqlite3 *conn;
};

/* clang-format off */
static const char SCHEMA[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA foreign_keys = ON;"
    "CREATE TABLE IF NOT EXISTS users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  password TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS notes ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated INTEGER NOT NULL DEFAULT (unixepoch()));"
    "CREATE INDEX IF NOT EXISTS notes_by_user ON notes(user_id, id);";
/* clang-format on */

/* Columns every note query selects, in the order row_to_note() reads them. */
#define NOTE_COLUMNS "id, title, body, created, updated"

/* A Unix time as ISO 8601 (for the API) or for people ("28 Nov 2026, 11:06"), in UTC. */
static void format_time(int64_t t, const char *fmt, char *out, size_t outlen) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, outlen, fmt, &tm) == 0)
        snprintf(out, outlen, "?");
}

static json_t *row_to_note(sqlite3_stmt *st) {
    char created[32], updated[32], human[32];
    format_time(sqlite3_column_int64(st, 3), "%Y-%m-%dT%H:%M:%SZ", created, sizeof(created));
    format_time(sqlite3_column_int64(st, 4), "%Y-%m-%dT%H:%M:%SZ", updated, sizeof(updated));
    format_time(sqlite3_column_int64(st, 4), "%d %b %Y, %H:%M UTC", human, sizeof(human));
    const char *title = (const char *)sqlite3_column_text(st, 1);
    const char *body = (const char *)sqlite3_column_text(st, 2);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "title", title ? title : "", "body",
                     body ? body : "", "created", created, "updated", updated, "updated_human",
                     human);
}

/* Log a failed SQLite call (on a pool thread: stderr is safe to write). */
static int db_fail(sqlite3 *conn, const char *what) {
    fprintf(stderr, "notes: sqlite: %s: %s\n", what, conn ? sqlite3_errmsg(conn) : "no memory");
    return PH_EIO;
}

/* ---- open ----------------------------------------------------------------- */

struct open_job {
    const char *path;
    sqlite3 *conn;
    int rc;
};

static int seed_demo_user(sqlite3 *conn) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, "SELECT count(*) FROM users", -1, &st, NULL);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(conn, "count users");
    }
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (n > 0)
        return 0;
    char hash[160];
    if (notes_password_hash("demo", hash, sizeof(hash)) < 0)
        return PH_EIO;
    rc = sqlite3_prepare_v2(conn, "INSERT INTO users(username, password) VALUES('demo', ?)", -1,
                            &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(conn, "add the demo user");
}

static void *open_work(void *arg) {
    struct open_job *j = arg;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(j->path, &j->conn, flags, NULL) != SQLITE_OK) {
        j->rc = db_fail(j->conn, j->path);
        sqlite3_close(j->conn);
        j->conn = NULL;
        return NULL;
    }
    /* Another worker process may hold the write lock for a moment. */
    sqlite3_busy_timeout(j->conn, 5000);
    char *msg = NULL;
    if (sqlite3_exec(j->conn, SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "notes: sqlite: schema: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        j->rc = PH_EIO;
    } else {
        j->rc = seed_demo_user(j->conn);
    }
    if (j->rc < 0) {
        sqlite3_close(j->conn);
        j->conn = NULL;
    }
    return NULL;
}

int notes_db_open(const char *path, notes_db **out) {
    struct open_job j = {.path = path, .rc = PH_EIO};
    int rc = ph_to_thread(open_work, &j, NULL);
    if (rc < 0) {
        if (j.conn)
            sqlite3_close(j.conn);
        return rc;
    }
    if (j.rc < 0)
        return j.rc;
    notes_db *db = calloc(1, sizeof(*db));
    if (!db) {
        sqlite3_close(j.conn);
        return PH_ENOMEM;
    }
    db->conn = j.conn;
    *out = db;
    return 0;
}

void notes_db_close(notes_db *db) {
    if (!db)
        return;
    sqlite3_close(db->conn);
    free(db);
}

/* ---- users ------------------------------------------------------------------ */

struct user_job {
    sqlite3 *conn;
    const char *username, *password;
    int64_t id;
    int rc;
};

static void *user_create_work(void *arg) {
    struct user_job *j = arg;
    char hash[160];
    if (notes_password_hash(j->password, hash, sizeof(hash)) < 0) {
        j->rc = PH_EIO;
        return NULL;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->conn, "INSERT INTO users(username, password) VALUES(?, ?)", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, j->username, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        j->id = sqlite3_last_insert_rowid(j->conn);
        j->rc = 0;
    } else if (sqlite3_extended_errcode(j->conn) == SQLITE_CONSTRAINT_UNIQUE) {
        j->rc = PH_EEXIST;
    } else {
        j->rc = db_fail(j->conn, "add a user");
    }
    sqlite3_finalize(st);
    return NULL;
}

static void *user_login_work(void *arg) {
    struct user_job *j = arg;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->conn, "SELECT id, password FROM users WHERE username = ?", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, j->username, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(st, 1);
        j->id = sqlite3_column_int64(st, 0);
        j->rc = notes_password_check(j->password, stored) ? 0 : PH_ENOTFOUND;
    } else if (rc == SQLITE_DONE) {
        /* Hash anyway, so an unknown name takes as long as a wrong password. */
        notes_password_check(j->password, "pbkdf2_sha256$100000$00$00");
        j->rc = PH_ENOTFOUND;
    } else {
        j->rc = db_fail(j->conn, "find a user");
    }
    sqlite3_finalize(st);
    return NULL;
}

static int run_user_job(notes_db *db, void *(*work)(void *), const char *username,
                        const char *password, int64_t *id) {
    if (!db)
        return PH_EIO;
    struct user_job j = {
        .conn = db->conn, .username = username, .password = password, .rc = PH_EIO};
    int rc = ph_to_thread(work, &j, NULL);
    if (rc < 0)
        return rc;
    if (j.rc == 0)
        *id = j.id;
    return j.rc;
}

int notes_user_create(notes_db *db, const char *username, const char *password, int64_t *id) {
    return run_user_job(db, user_create_work, username, password, id);
}

int notes_user_login(notes_db *db, const char *username, const char *password, int64_t *id) {
    return run_user_job(db, user_login_work, username, password, id);
}

/* ---- notes ------------------------------------------------------------------ */

enum note_op { OP_LIST, OP_GET, OP_CREATE, OP_UPDATE, OP_DELETE };

struct note_job {
    sqlite3 *conn;
    enum note_op op;
    int64_t user, id;
    const char *title, *body, *q;
    json_t *result;
    int rc;
};

static const char *const NOTE_SQL[] = {
    [OP_LIST] = "SELECT " NOTE_COLUMNS " FROM notes WHERE user_id = ?1 AND (?2 IS NULL"
                " OR instr(lower(title), lower(?2)) OR instr(lower(body), lower(?2)))"
                " ORDER BY updated DESC, id DESC",
    [OP_GET] = "SELECT " NOTE_COLUMNS " FROM notes WHERE user_id = ?1 AND id = ?2",
    [OP_CREATE] = "INSERT INTO notes(user_id, title, body) VALUES(?1, ?3, ?4)",
    [OP_UPDATE] = ("UPDATE notes SET title = ?3, body = ?4, updated = unixepoch()"
                   " WHERE user_id = ?1 AND id = ?2"),
    [OP_DELETE] = "DELETE FROM notes WHERE user_id = ?1 AND id = ?2",
};

static int bind_note_job(sqlite3_stmt *st, const struct note_job *j) {
    int rc = sqlite3_bind_int64(st, 1, j->user);
    if (rc == SQLITE_OK && j->op == OP_LIST)
        rc = j->q ? sqlite3_bind_text(st, 2, j->q, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 2);
    else if (rc == SQLITE_OK && j->op != OP_CREATE)
        rc = sqlite3_bind_int64(st, 2, j->id);
    if (rc == SQLITE_OK && (j->op == OP_CREATE || j->op == OP_UPDATE)) {
        rc = sqlite3_bind_text(st, 3, j->title, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, 4, j->body, -1, SQLITE_STATIC);
    }
    return rc;
}

static void *note_work(void *arg) {
    struct note_job *j = arg;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->conn, NOTE_SQL[j->op], -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = bind_note_job(st, j);
    if (rc != SQLITE_OK) {
        j->rc = db_fail(j->conn, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    j->rc = 0;
    if (j->op == OP_LIST) {
        j->result = json_array();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (json_array_append_new(j->result, row_to_note(st)) < 0)
                break;
    } else if (j->op == OP_GET) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            j->result = row_to_note(st);
            rc = j->result ? SQLITE_DONE : SQLITE_NOMEM;
        } else if (rc == SQLITE_DONE) {
            j->rc = PH_ENOTFOUND;
        }
    } else {
        rc = sqlite3_step(st);
        if (j->op == OP_CREATE)
            j->id = sqlite3_last_insert_rowid(j->conn);
        else if (rc == SQLITE_DONE && sqlite3_changes(j->conn) == 0)
            j->rc = PH_ENOTFOUND;
    }
    if (rc != SQLITE_DONE) {
        j->rc = db_fail(j->conn, NOTE_SQL[j->op]);
        json_decref(j->result);
        j->result = NULL;
    }
    sqlite3_finalize(st);
    return NULL;
}

/* Run one note job on the pool; returns its status. A job cancelled before
 * it ran did nothing; one that ran has finished when ph_to_thread returns. */
static int run_note_job(notes_db *db, struct note_job *j) {
    if (!db)
        return PH_EIO;
    j->conn = db->conn;
    j->rc = PH_EIO;
    int rc = ph_to_thread(note_work, j, NULL);
    if (rc < 0) {
        json_decref(j->result);
        j->result = NULL;
        return rc;
    }
    return j->rc;
}

json_t *notes_list(notes_db *db, int64_t user, const char *q) {
    struct note_job j = {.op = OP_LIST, .user = user, .q = q && *q ? q : NULL};
    return run_note_job(db, &j) < 0 ? NULL : j.result;
}

json_t *notes_get(notes_db *db, int64_t user, int64_t id, int *rc) {
    struct note_job j = {.op = OP_GET, .user = user, .id = id};
    *rc = run_note_job(db, &j);
    return *rc < 0 ? NULL : j.result;
}

int notes_create(notes_db *db, int64_t user, const char *title, const char *body, int64_t *id) {
    struct note_job j = {.op = OP_CREATE, .user = user, .title = title, .body = body};
    int rc = run_note_job(db, &j);
    if (rc == 0)
        *id = j.id;
    return rc;
}

int notes_update(notes_db *db, int64_t user, int64_t id, const char *title, const char *body) {
    struct note_job j = {.op = OP_UPDATE, .user = user, .id = id, .title = title, .body = body};
    return run_note_job(db, &j);
}

int notes_delete(notes_db *db, int64_t user, int64_t id) {
    struct note_job j = {.op = OP_DELETE, .user = user, .id = id};
    return run_note_job(db, &j);
}
