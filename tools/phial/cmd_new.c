/*
 * `phial new NAME [DIRECTORY]`: write a new app project (skeleton.c) into
 * DIRECTORY (default ./NAME): a CMake project finding phial by pkg-config,
 * app.c with a view rendering a template, main.c handing the command line
 * to ph_app_main(), a test using the test client, templates/ with a base
 * layout and static/. The project builds and passes its test as written.
 *
 * NAME must be a letter followed by letters, digits, '-' or '_' (it names
 * the program and, with '-' turned into '_', C identifiers). An existing
 * non-empty DIRECTORY is refused. Exit status: 0, 1 (the files could not be
 * written), 2 (usage).
 */
#include "commands.h"
#include "skeleton.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 64

static void usage(FILE *f) {
    fprintf(f, "usage: phial new NAME [DIRECTORY]\n\n"
               "Create a new app project NAME in DIRECTORY (default: ./NAME): a CMake\n"
               "project finding phial with pkg-config, app.c, templates/ with a base\n"
               "layout, static/ and a test using the test client.\n");
}

static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

/* 1 when `dir` is absent or empty, 0 when it holds something, -1 when unusable. */
static int dir_free(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 1 : -1;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

/* mkdir -p for the folders of `path` (not its last component). */
static int make_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Write `text` with @NAME@ and @ID@ replaced. */
static int put_expanded(FILE *f, const char *text, const char *name, const char *id) {
    for (const char *s = text; *s;) {
        if (!strncmp(s, "@NAME@", 6)) {
            fputs(name, f);
            s += 6;
        } else if (!strncmp(s, "@ID@", 4)) {
            fputs(id, f);
            s += 4;
        } else {
            fputc(*s++, f);
        }
    }
    return ferror(f) ? -1 : 0;
}

static int write_file(const char *dir, const phial_skeleton_file *sf, const char *name,
                      const char *id) {
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, sf->path) >= (int)sizeof(path)) {
        fprintf(stderr, "phial new: path too long: %s/%s\n", dir, sf->path);
        return -1;
    }
    FILE *f = NULL;
    if (make_parents(path) < 0 || !(f = fopen(path, "w"))) {
        fprintf(stderr, "phial new: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = put_expanded(f, sf->content, name, id);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "phial new: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * The folder holding phial.pc when this phial command runs from an install
 * under a prefix pkg-config does not search (make install PREFIX=~/.local)
 * and PKG_CONFIG_PATH does not name it: 1 with the folder in `out`, else 0.
 * Without it the new project's cmake would not find phial.
 */
static int pkgconfig_hint(char *out, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0'; /* PREFIX/bin */
    if (!(slash = strrchr(exe, '/')) || strcmp(slash, "/bin") != 0)
        return 0;
    *slash = '\0'; /* PREFIX */
    if (strcmp(exe, "/usr") == 0 || strcmp(exe, "/usr/local") == 0 || exe[0] == '\0')
        return 0;
    char pattern[PATH_MAX + 64];
    snprintf(pattern, sizeof(pattern), "%s/lib{,64,/*}/pkgconfig/phial.pc", exe);
    glob_t g;
    int found = glob(pattern, GLOB_BRACE, NULL, &g) == 0 && g.gl_pathc > 0;
    if (found) {
        snprintf(out, size, "%s", g.gl_pathv[0]);
        *strrchr(out, '/') = '\0';
    }
    globfree(&g);
    if (!found)
        return 0;
    const char *env = getenv("PKG_CONFIG_PATH");
    size_t len = strlen(out);
    for (const char *p = env; p && *p;) {
        const char *e = strchr(p, ':');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && memcmp(p, out, len) == 0)
            return 0;
        p += l + (e != NULL);
    }
    return 1;
}

int phial_cmd_new(int argc, char **argv) {
    const char *pos[2] = {NULL, NULL};
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            usage(stderr);
            fprintf(stderr, "\nphial new: no such option: %s\n", argv[i]);
            return 2;
        }
        if (npos == 2) {
            usage(stderr);
            fprintf(stderr, "\nphial new: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
        pos[npos++] = argv[i];
    }
    if (npos == 0) {
        usage(stderr);
        fprintf(stderr, "\nphial new: missing argument NAME\n");
        return 2;
    }
    const char *name = pos[0];
    if (!valid_name(name)) {
        fprintf(stderr,
                "phial new: invalid name '%s': use a letter, then letters, digits, "
                "'-' or '_' (at most %d)\n",
                name, NAME_MAX_LEN);
        return 2;
    }
    char id[NAME_MAX_LEN + 1];
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
        id[i] = name[i] == '-' ? '_' : name[i];
    const char *dir = pos[1] ? pos[1] : name;
    int free_ = dir_free(dir);
    if (free_ <= 0) {
        fprintf(stderr, "phial new: %s %s\n", dir,
                free_ < 0 ? "cannot be used as the project folder" : "exists and is not empty");
        return 1;
    }
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "phial new: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    for (const phial_skeleton_file *sf = phial_skeleton; sf->path; sf++)
        if (write_file(dir, sf, name, id) < 0)
            return 1;
    char pc[PATH_MAX];
    int hint = pkgconfig_hint(pc, sizeof(pc));
    printf("Created %s in %s. Next:\n"
           "  cd %s\n",
           name, dir, dir);
    if (hint)
        printf("  export PKG_CONFIG_PATH=%s${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}\n", pc);
    printf("  cmake -S . -B build && cmake --build build\n"
           "  (cd build && ctest --output-on-failure)\n"
           "  ./build/%s run\n",
           name);
    return 0;
}
