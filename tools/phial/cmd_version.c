/*
 * `phial version`: print the version of the command and library, which is
 * CMake's project version (ph_version(), set in the top CMakeLists.txt).
 */
#include "commands.h"

#include <phial.h>
#include <stdio.h>
#include <string.h>

int phial_cmd_version(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: phial version\n\nPrint phial's version.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: phial version\nphial version: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    printf("phial %s\n", ph_version());
    return 0;
}
