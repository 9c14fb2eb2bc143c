/*
 * The subcommands of the `phial` command, one file each (cmd_<name>.c).
 * Each takes the arguments after its name and returns the exit status:
 * 0 success, 1 failure of the work itself, 2 a usage error.
 */
#ifndef PHIAL_TOOL_COMMANDS_H
#define PHIAL_TOOL_COMMANDS_H

typedef struct phial_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} phial_command;

int phial_cmd_render(int argc, char **argv);
int phial_cmd_version(int argc, char **argv);
int phial_cmd_new(int argc, char **argv);

#endif
