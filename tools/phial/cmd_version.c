/*
 * `phial version`: print the version of the command and library.
 */
#include "commands.h"

#include <stdio.h>

#ifndef PHIAL_VERSION
#define PHIAL_VERSION "0.1.0"
#endif

int phial_cmd_version(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: phial version\n");
        return 2;
    }
    printf("phial %s\n", PHIAL_VERSION);
    return 0;
}
