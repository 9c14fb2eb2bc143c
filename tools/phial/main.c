/*
 * The `phial` command: a small dispatcher over subcommands. Each subcommand
 * lives in its own file (cmd_<name>.c) and is listed in the table below; to
 * add one, write the file, declare it in commands.h and add a row.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const phial_command commands[] = {
    {"new", "create a new app project", phial_cmd_new},
    {"render", "render a template to stdout", phial_cmd_render},
    {"version", "print the version", phial_cmd_version},
};

static void usage(FILE *f) {
    fprintf(f, "usage: phial COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'phial COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "phial: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
